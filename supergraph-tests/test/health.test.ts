import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contractOperation, errorCodes, postGraphQL, sharedRedis, signedInUser, startDatabaseOutage, startOwnRedis, startTestSupergraph, oneTestBackend, testBackends, type OwnRedis, type TestSupergraph } from '../src/index.js';

const backend = testBackends().includes('postgres') ? 'postgres' : 'pglite';

interface ReadinessBody {
  status: string;
  checks: Record<string, unknown> & { subgraphs?: Record<string, { ready: string; circuit: string }> };
}

async function readiness(url: string | URL, path = '/ready') {
  const response = await fetch(new URL(path, url), { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as ReadinessBody };
}

/** A subgraph that answers its /ready, through a closed circuit. */
const servingSubgraph = { ready: 'ready', circuit: 'closed' };

/** Polls until `check` holds (the gateway probes subgraphs every 2 s), failing after `timeoutMs`. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe(`liveness and readiness (${backend})`, () => {
  let supergraph: TestSupergraph;
  const subgraphUrls = () => [supergraph.users.url, supergraph.catalog.url, supergraph.orders.url];
  const allSubgraphsReady = ({ body }: { body: ReadinessBody }) => Object.values(body.checks.subgraphs ?? {}).every((subgraph) => subgraph.ready === 'ready');

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
  });
  afterAll(() => supergraph?.stop());

  it('answers /live with 200 on the gateway and on every subgraph', async () => {
    for (const url of [supergraph.gatewayUrl, ...subgraphUrls()]) {
      const response = await fetch(new URL('/live', url));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'live' });
    }
  });

  it("answers the gateway's /ready with its schema, its Redis, its event source and each subgraph's state, and /health alike", async () => {
    const ready = await eventually(() => readiness(supergraph.gatewayUrl), (answer) => allSubgraphsReady(answer) && (answer.body.checks.events as { state: string }).state === 'current');
    expect(ready).toEqual({
      status: 200,
      body: {
        status: 'ready',
        checks: {
          schema: 'loaded',
          redis: sharedRedis ? 'ready' : 'not configured',
          events: { source: supergraph.nats ? 'broker' : 'feeds', state: 'current' },
          subgraphs: { users: servingSubgraph, catalog: servingSubgraph, orders: servingSubgraph },
        },
      },
    });
    expect(await readiness(supergraph.gatewayUrl, '/health')).toEqual(ready);
  });

  it("answers a subgraph's /ready with its database and migrations", async () => {
    for (const url of subgraphUrls()) {
      expect(await readiness(url)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', migrations: 'applied' } } });
    }
  });

  (backend === 'postgres' ? it : it.skip)(
    "keeps the gateway ready through one subgraph's database outage, which only that subgraph's /ready shows, until it is back by itself",
    async () => {
      const [database] = await supergraph.catalog.prisma.$queryRaw<Array<{ name: string }>>`SELECT current_database() AS name`;
      const outage = await startDatabaseOutage(database!.name);
      try {
        const started = Date.now();
        const catalogDown = await readiness(supergraph.catalog.url);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(catalogDown.status).toBe(503);
        expect(catalogDown.body).toEqual({ status: 'unavailable', checks: { database: expect.stringMatching(/^(unavailable|timeout)$/) } });

        const gateway = await eventually(() => readiness(supergraph.gatewayUrl), ({ body }) => body.checks.subgraphs?.catalog?.ready === 'unavailable');
        expect(gateway.status).toBe(200);
        expect(gateway.body.status).toBe('ready');
        // Its database is down, not the subgraph: it answers, so the gateway's circuit stays closed.
        expect(gateway.body.checks.subgraphs).toEqual({ users: servingSubgraph, catalog: { ready: 'unavailable', circuit: 'closed' }, orders: servingSubgraph });
        expect((await readiness(supergraph.users.url)).status).toBe(200);
      } finally {
        await outage.end();
      }
      // No process restarted: the pool reconnects on the next statement.
      expect((await eventually(() => readiness(supergraph.catalog.url), ({ status }) => status === 200)).status).toBe(200);
      expect(allSubgraphsReady(await eventually(() => readiness(supergraph.gatewayUrl), allSubgraphsReady))).toBe(true);
    },
  );

  it('keeps the gateway ready when a subgraph is gone, and reports it unreachable', async () => {
    await supergraph.orders.stop();
    const gateway = await eventually(() => readiness(supergraph.gatewayUrl), ({ body }) => body.checks.subgraphs?.orders?.ready === 'unreachable');
    expect(gateway.status).toBe(200);
    expect(gateway.body.checks.subgraphs).toEqual({ users: servingSubgraph, catalog: servingSubgraph, orders: { ready: 'unreachable', circuit: 'closed' } });
    // Fetches that find no one open the gateway's circuit to it, and the details say so.
    const shopper = await signedInUser(supergraph);
    for (let failure = 0; failure < 5; failure += 1) {
      expect(errorCodes(await supergraph.request({ query: contractOperation('frontend', 'Me'), headers: shopper.headers }))).toContain('SUBGRAPH_UNAVAILABLE');
    }
    const open = await readiness(supergraph.gatewayUrl);
    expect([open.status, open.body.checks.subgraphs?.orders]).toEqual([200, { ready: 'unreachable', circuit: 'open' }]);
  });
});

describe('a gateway whose Redis is away', () => {
  let supergraph: TestSupergraph;
  let redis: OwnRedis;

  beforeAll(async () => {
    [supergraph, redis] = await Promise.all([startTestSupergraph(oneTestBackend(), { sharedStores: false }), startOwnRedis()]);
  });
  afterAll(async () => {
    await supergraph?.stop();
    await redis?.stop();
  });

  it('stays ready while its Redis is down, which its /ready reports, and reports it back once it is: every gateway shares that Redis, and serves without it', async () => {
    const gateway = await supergraph.startGatewayProcess({ env: { REDIS_URL: redis.url } });
    const ready = await eventually(() => readiness(gateway.url), ({ body }) => body.checks.redis === 'ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: 'ready', schema: 'loaded' } } });

    await redis.kill();
    const away = await eventually(() => readiness(gateway.url), ({ body }) => body.checks.redis === 'unavailable');
    expect(away).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: 'unavailable', schema: 'loaded' } } });
    expect((await fetch(new URL('/live', gateway.url))).status).toBe(200);
    const served = await postGraphQL(gateway.url, { query: contractOperation('frontend', 'Categories') });
    expect(served.errors).toBeUndefined();

    await redis.restart();
    const back = await eventually(() => readiness(gateway.url), ({ body }) => body.checks.redis === 'ready', 15_000);
    expect(back).toMatchObject({ status: 200, body: { checks: { redis: 'ready' } } });
  });
});
