import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  contractOperation,
  gatewayHeaders,
  graphQLBody,
  postGraphQL,
  startOwnRedis,
  startSupergraphProcesses,
  startTcpProxy,
  testBackends,
  type GraphQLRequest,
  type ServiceProcess,
  type SupergraphProcesses,
  type TcpProxy,
} from '../src/index.js';
import { Pool } from 'undici';

const SHUTDOWN_TIMEOUT_MS = 5_000;
/** What exiting takes beyond the deadline: the process's own teardown, and this test noticing. */
const EXIT_SLACK_MS = 1_000;
/** A request without an answer after this is hung. */
const HUNG_AFTER_MS = SHUTDOWN_TIMEOUT_MS + 10_000;
/**
 * A request sent this long before SIGTERM had been read by the service, so it was accepted.
 * One sent later may meet a kept-alive connection as it is closed idle, which HTTP/1.1 allows
 * (RFC 9112 §9.3.1: the client may retry); those are counted apart.
 */
const ACCEPTED_MARGIN_MS = 200;

interface Outcome {
  startedAt: number;
  endedAt: number;
  /** answered: any HTTP answer; refused: no connection (the listener was closed); closed: the connection ended unanswered. */
  kind: 'answered' | 'refused' | 'closed' | 'hung';
  status?: number;
  codes?: string[];
}

function outcomeOfError(error: unknown): Outcome['kind'] {
  const { code, name } = error as { code?: string; name?: string };
  if (code === 'ECONNREFUSED') return 'refused';
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_ABORTED') return 'hung';
  return 'closed';
}

/**
 * `connections` clients, each sending the next request as soon as it has its answer, until
 * `until` settles or their connection is refused. Each request is sent as it comes from `next`.
 */
async function burst(url: string, connections: number, next: (index: number) => Promise<{ body: string; headers: Record<string, string> }>, until: Promise<unknown>) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  const outcomes: Outcome[] = [];
  let done = false;
  void until.then(() => (done = true));
  let sent = 0;
  const client = async () => {
    while (!done) {
      const { body, headers } = await next(sent++);
      const startedAt = Date.now();
      try {
        const response = await pool.request({
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
          signal: AbortSignal.timeout(HUNG_AFTER_MS),
        });
        const answer = (await response.body.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        outcomes.push({ startedAt, endedAt: Date.now(), kind: 'answered', status: response.statusCode, codes: (answer.errors ?? []).map((error) => error.extensions?.code ?? '?') });
      } catch (error) {
        const kind = outcomeOfError(error);
        outcomes.push({ startedAt, endedAt: Date.now(), kind });
        if (kind === 'refused') return;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  await pool.destroy();
  return outcomes;
}

/** What a burst met, for the report and the assertions. */
function tally(outcomes: Outcome[], signalledAt: number) {
  const count = (keep: (outcome: Outcome) => boolean) => outcomes.filter(keep).length;
  return {
    sent: outcomes.length,
    inFlightAtSignal: count((o) => o.startedAt <= signalledAt && o.endedAt >= signalledAt),
    answered: count((o) => o.kind === 'answered'),
    answeredWithoutError: count((o) => o.kind === 'answered' && o.status === 200 && o.codes!.length === 0),
    failedWithCode: count((o) => o.kind === 'answered' && o.codes!.length > 0),
    failedCodes: [...new Set(outcomes.flatMap((o) => o.codes ?? []))].sort(),
    refused: count((o) => o.kind === 'refused'),
    closedUnanswered: count((o) => o.kind === 'closed'),
    closedUnansweredAccepted: count((o) => o.kind === 'closed' && o.startedAt < signalledAt - ACCEPTED_MARGIN_MS),
    hung: count((o) => o.kind === 'hung'),
  };
}

/** Signals a service and measures how long it takes to exit. */
async function terminate(service: ServiceProcess) {
  const signalledAt = Date.now();
  service.signal('SIGTERM');
  const exit = await Promise.race([service.exited, delay(SHUTDOWN_TIMEOUT_MS + 5_000, null, { ref: false })]);
  return { signalledAt, exit, exitMs: Date.now() - signalledAt };
}

const describeOnPostgres = testBackends().includes('postgres') ? describe : describe.skip;

describeOnPostgres('SIGTERM in production mode, each service a process of its own', () => {
  let supergraph: SupergraphProcesses;
  const password = 'shutdown-password-123';
  const email = 'drain@example.com';

  beforeAll(async () => {
    supergraph = await startSupergraphProcesses({
      env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
      envOf: {
        // A burst of sign-ins to one account from one address is the point here, not something to throttle.
        users: { LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT: '1000000', LOGIN_MAX_FAILURES_PER_CLIENT: '1000000', LOGIN_ACCOUNT_SLOWDOWN_AFTER: '1000000' },
        gateway: { RESPONSE_CACHE: 'false', COST_BUDGET_ANONYMOUS: '1000000000' },
      },
    });
    const registered = await postGraphQL(supergraph.gateway.url, {
      query: contractOperation('frontend', 'Register'),
      variables: { input: { email, username: 'drain', password } },
    });
    expect(registered.errors).toBeUndefined();
  }, 120_000);
  afterAll(() => supergraph?.stop());

  /** Sign-ins (a password hash each: slow enough to be in flight) and product lists, alternately. */
  const shopping = (index: number): Promise<{ body: string; headers: Record<string, string> }> => {
    const request: GraphQLRequest =
      index % 2 === 0
        ? { query: contractOperation('frontend', 'Login'), variables: { input: { email, password } } }
        : { query: contractOperation('frontend', 'Products'), variables: { limit: 5 } };
    return Promise.resolve({ body: graphQLBody(request), headers: {} });
  };

  /**
   * SIGTERM to `target` two seconds into a burst through `gatewayUrl`, sent on until a second
   * after it exited: it must exit cleanly within its deadline with requests in flight, and
   * leave none hung.
   */
  async function sigtermDuringBurst(target: ServiceProcess, gatewayUrl: string) {
    const sending = burst(gatewayUrl, 48, shopping, target.exited.then(() => delay(1_000)));
    await delay(2_000);
    const { signalledAt, exit, exitMs } = await terminate(target);
    const figures = tally(await sending, signalledAt);
    console.log(`${target.service} SIGTERM during a burst through the gateway:`, { ...figures, exit, exitMs });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS);
    expect(figures.inFlightAtSignal).toBeGreaterThanOrEqual(10);
    expect(figures.hung).toBe(0);
    return figures;
  }

  it('the gateway answers every request it accepted, then exits within its deadline', async () => {
    const { gateway } = supergraph;
    const figures = await sigtermDuringBurst(gateway, gateway.url);
    expect(figures.closedUnansweredAccepted).toBe(0);
    expect(figures.answeredWithoutError).toBe(figures.answered);
    expect(gateway.output()).toMatch(/"msg":"stopped"/);
  }, 60_000);

  it('a subgraph answers what it accepted, and the gateway answers the rest with SUBGRAPH_UNAVAILABLE', async () => {
    const gateway = await supergraph.start('gateway', supergraph.envOf('gateway'));
    const figures = await sigtermDuringBurst(supergraph.users, gateway.url);
    expect(figures.closedUnanswered + figures.refused).toBe(0);
    expect(figures.answered).toBe(figures.sent);
    expect(figures.failedWithCode).toBeGreaterThan(0);
    expect(figures.failedCodes).toEqual(['SUBGRAPH_UNAVAILABLE']);
  }, 60_000);

  it('the gateway exits within its deadline while a subgraph it waits on is frozen', async () => {
    const gateway = await supergraph.start('gateway', supergraph.envOf('gateway'));
    const { catalog } = supergraph;
    catalog.signal('SIGSTOP');
    try {
      const waiting = Array.from({ length: 5 }, (_, index) =>
        postGraphQL(gateway.url, { query: contractOperation('frontend', 'Products'), variables: { limit: index + 1 } }).then(
          (response) => response.status,
          () => 'closed',
        ),
      );
      await delay(500);
      const { exit, exitMs } = await terminate(gateway);
      console.log('gateway SIGTERM with catalog frozen:', { exit, exitMs, requests: await Promise.all(waiting) });
      expect(exit).toEqual({ code: 0, signal: null });
      expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS);
    } finally {
      catalog.signal('SIGCONT');
    }
  }, 60_000);

  it('the gateway exits cleanly within its deadline while its Redis is frozen', async () => {
    const redis = await startOwnRedis();
    try {
      const gateway = await supergraph.start('gateway', { ...supergraph.envOf('gateway'), REDIS_URL: redis.url, RESPONSE_CACHE: 'true' });
      // Ready once it has connected to Redis.
      let ready = 503;
      for (let attempt = 0; attempt < 50 && ready !== 200; attempt++) {
        await delay(100);
        ready = (await fetch(new URL('/ready', gateway.url))).status;
      }
      expect(ready).toBe(200);
      redis.freeze();
      const { exit, exitMs } = await terminate(gateway);
      console.log('gateway SIGTERM with its Redis frozen:', { exit, exitMs });
      expect(exit).toEqual({ code: 0, signal: null });
      // Nothing in flight: only Redis's quit is waited for, a second at most.
      expect(exitMs).toBeLessThan(1_000 + EXIT_SLACK_MS);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  describe('a subgraph whose database hangs', () => {
    let proxy: TcpProxy;
    afterAll(() => proxy?.stop());

    it('is not ready within a second, and still exits within SHUTDOWN_TIMEOUT_MS of SIGTERM', async () => {
      const env = supergraph.envOf('catalog');
      const database = new URL(env.CATALOG_DATABASE_URL!);
      proxy = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
      database.host = `127.0.0.1:${proxy.port}`;
      const catalog = await supergraph.start('catalog', { ...env, CATALOG_DATABASE_URL: database.toString() });
      expect((await fetch(new URL('/ready', catalog.url))).status).toBe(200);

      proxy.freeze();
      const readyAsked = Date.now();
      const ready = await fetch(new URL('/ready', catalog.url));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', checks: { database: 'timeout' } });
      expect(Date.now() - readyAsked).toBeLessThan(2_000);

      // Requests waiting on the frozen database while it stops.
      const request: GraphQLRequest = { query: contractOperation('frontend', 'Products'), variables: { limit: 5 } };
      const waiting = Array.from({ length: 5 }, async () =>
        postGraphQL(catalog.url, { ...request, headers: await gatewayHeaders(supergraph.gatewayKeys, 'catalog', catalog.url, graphQLBody(request)) }).then(
          (response) => response.status,
          () => 'closed',
        ),
      );
      await delay(300);
      const { exit, exitMs } = await terminate(catalog);
      console.log('catalog SIGTERM with its database frozen:', { exit, exitMs, requests: await Promise.all(waiting) });
      expect(exit).not.toBeNull();
      expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS);
    }, 60_000);
  });
});
