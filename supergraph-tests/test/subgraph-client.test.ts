import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Viewer } from '@shop/auth';
import { catalogBuilders } from '@shop/catalog/testing';
import { contractOperation, signedInUser, startTestSupergraph, oneTestBackend, testKeyRing, type TestSupergraph } from '../src/index.js';
import { CacheRecorder } from '@shop/gateway/cache/recorder';
import { parseConfig, subgraphFetchSchema, type Env } from '@shop/config';
import { createLogger } from '@shop/logging';
import { SubgraphClient } from '@shop/gateway/subgraph-client';

type Hint = { maxAge: number; scope?: string };

/** The client's options as the gateway gives them, from configuration as the environment spells it. */
function clientOptions(env: Env = {}) {
  const config = parseConfig(subgraphFetchSchema, env);
  return { deadlines: config.deadlines.catalog, breaker: config.breaker, retry: config.retry, logger: createLogger('test-gateway', 'error') };
}

/** One fetch as the gateway makes it while executing an operation of `operation`'s type. */
function fetchThrough(via: SubgraphClient, viewer: Viewer, query: string, variables: Record<string, unknown>, operation: 'query' | 'mutation' = 'query') {
  const hints: Hint[] = [];
  const recorder = new CacheRecorder();
  const context = { requestId: 'subgraph-client-test', viewer, clientIp: null, cache: recorder };
  const response = via.process({
    kind: 'incoming operation',
    request: { query, variables },
    context,
    incomingRequestContext: { operation: { operation }, overallCachePolicy: { restrict: (hint: Hint) => hints.push(hint) }, context },
  } as unknown as Parameters<SubgraphClient['process']>[0]);
  return { response, hints, recorder };
}

/**
 * The gateway's client for one subgraph, against the real catalog subgraph over HTTP. Its
 * fetches are started in one tick here, so which of them share a request is certain.
 */
describe.each([oneTestBackend()])('the subgraph client (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let client: SubgraphClient;
  let productId: string;
  const admin: Viewer = { kind: 'user', userId: 'admin-1', role: 'ADMIN', sessionId: 'session-a' };
  const shopper: Viewer = { kind: 'user', userId: 'user-1', role: 'USER', sessionId: 'session-b' };

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, { responseCache: false });
    client = new SubgraphClient('catalog', supergraph.catalog.url, supergraph.gatewayKeys, clientOptions());
    productId = (await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 4 })).id;
  });
  afterAll(async () => {
    await client?.close();
    await supergraph?.stop();
  });

  const fetchAs = (viewer: Viewer, query: string, variables: Record<string, unknown>, operation: 'query' | 'mutation' = 'query', via = client) =>
    fetchThrough(via, viewer, query, variables, operation);

  const requestsServed = () => supergraph.catalog.usage().requests;
  const productQuery = 'query ($id: ID!) { product(id: $id) { id name stockQuantity } }';

  it('sends identical queries in flight for one viewer once, and each caller gets its own copy', async () => {
    const before = requestsServed();
    const fetches = Array.from({ length: 8 }, () => fetchAs(admin, productQuery, { id: productId }));
    const responses = await Promise.all(fetches.map((fetch) => fetch.response));
    expect(requestsServed() - before).toBe(1);
    for (const response of responses) expect(response.data).toEqual({ product: expect.objectContaining({ id: productId, stockQuantity: 4 }) });
    (responses[0]!.data!.product as { name: string }).name = 'changed by one caller';
    expect((responses[1]!.data!.product as { name: string }).name).not.toBe('changed by one caller');
    // Every caller learns what the answer holds and how long it may be cached.
    for (const fetch of fetches) {
      expect([...fetch.recorder.tags]).toContain(`Product:${productId}`);
      expect(fetch.hints).toHaveLength(1);
    }
  });

  it('never shares a fetch between viewers: each sees what it may', async () => {
    const before = requestsServed();
    const [asAdmin, asShopper] = await Promise.all([fetchAs(admin, productQuery, { id: productId }).response, fetchAs(shopper, productQuery, { id: productId }).response]);
    expect(requestsServed() - before).toBe(2);
    expect((asAdmin.data!.product as { stockQuantity: number | null }).stockQuantity).toBe(4);
    expect(asShopper.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('never shares a mutation', async () => {
    const update = 'mutation ($id: ID!) { updateProduct(id: $id, input: { stockQuantity: 9 }) { id stockQuantity } }';
    const { id } = await catalogBuilders(supergraph.catalog.prisma).product();
    const before = requestsServed();
    const responses = await Promise.all(Array.from({ length: 3 }, () => fetchAs(admin, update, { id }, 'mutation').response));
    expect(requestsServed() - before).toBe(3);
    for (const response of responses) expect(response.errors).toBeUndefined();
  });

  it('sends a query again once the first answer is in', async () => {
    const before = requestsServed();
    await fetchAs(admin, productQuery, { id: productId }).response;
    await fetchAs(admin, productQuery, { id: productId }).response;
    expect(requestsServed() - before).toBe(2);
  });

  it('through the gateway, gives each of many concurrent shoppers their own Me', async () => {
    const shoppers = await Promise.all(Array.from({ length: 4 }, () => signedInUser(supergraph)));
    const requests = shoppers.flatMap((shopper) => Array.from({ length: 5 }, () => ({ shopper, answer: supergraph.request<{ me: { id: string } }>({ query: contractOperation('frontend', 'Me'), headers: shopper.headers }) })));
    for (const { shopper, answer } of requests) expect((await answer).data!.me.id).toBe(shopper.userId);
  });

  it('says a subgraph that is down is unavailable, without its address', async () => {
    const nowhere = new SubgraphClient('catalog', 'http://127.0.0.1:1/graphql', supergraph.gatewayKeys, clientOptions());
    try {
      const failed = fetchAs(admin, productQuery, { id: productId }, 'query', nowhere).response;
      await expect(failed).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
      await expect(failed).rejects.not.toThrow(/127\.0\.0\.1/);
    } finally {
      await nowhere.close();
    }
  });
});

type Behaviour = 'drop' | 'hang' | 'stall-body' | 'unavailable' | 'database-down' | 'ok';

/**
 * A stand-in for a subgraph that fails as a test tells it to, counting the requests that reach
 * it: the client's deadlines, breaker and retries, measured at the wire.
 */
async function startMisbehavingSubgraph() {
  let behaviour: Behaviour = 'ok';
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests += 1;
    request.resume();
    request.on('end', () => {
      if (behaviour === 'drop') request.socket.destroy();
      else if (behaviour === 'stall-body') response.writeHead(200, { 'content-type': 'application/json' }).write('{"data":');
      else if (behaviour === 'unavailable') response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      else if (behaviour === 'database-down') {
        response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'The database is unavailable; retry shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }));
      } else if (behaviour === 'ok') response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    behave: (next: Behaviour) => (behaviour = next),
    requests: () => requests,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the subgraph client when its subgraph fails', () => {
  const viewer: Viewer = { kind: 'anonymous' } as Viewer;
  const keys = testKeyRing();
  let subgraph: Awaited<ReturnType<typeof startMisbehavingSubgraph>>;
  const clients: SubgraphClient[] = [];
  const clientFor = (env: Env = {}) => {
    const client = new SubgraphClient('catalog', subgraph.url, keys, clientOptions({ SUBGRAPH_BREAKER_FAILURES: '1000', ...env }));
    clients.push(client);
    return client;
  };
  const codeOf = (fetch: Promise<unknown>) => fetch.then(() => 'answered', (error: { extensions?: { code?: string } }) => error.extensions?.code);
  const query = '{ ok }';

  beforeAll(async () => {
    subgraph = await startMisbehavingSubgraph();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    subgraph.behave('ok');
  });
  afterAll(() => subgraph?.stop());

  it('sends a query that found no one to serve it once more, and a mutation never again', async () => {
    const client = clientFor();
    subgraph.behave('drop');
    let before = subgraph.requests();
    expect(await codeOf(fetchThrough(client, viewer, query, {}).response)).toBe('SUBGRAPH_UNAVAILABLE');
    expect(subgraph.requests() - before).toBe(2);
    before = subgraph.requests();
    expect(await codeOf(fetchThrough(client, viewer, 'mutation { ok }', {}, 'mutation').response)).toBe('SUBGRAPH_UNAVAILABLE');
    expect(subgraph.requests() - before).toBe(1);
    subgraph.behave('unavailable');
    before = subgraph.requests();
    expect(await codeOf(fetchThrough(client, viewer, 'mutation { ok }', {}, 'mutation').response)).toBe('SUBGRAPH_UNAVAILABLE');
    expect(await codeOf(fetchThrough(client, viewer, query, {}).response)).toBe('SUBGRAPH_UNAVAILABLE');
    expect(subgraph.requests() - before).toBe(3);
  });

  it('retries no more than its budget allows, however many fetches fail', async () => {
    // A floor of one retry a second over a 10 s window: 10 retries, whatever the failures.
    const client = clientFor({ SUBGRAPH_RETRY_BUDGET_RATIO: '0', SUBGRAPH_RETRY_BUDGET_MIN_PER_SECOND: '1', SUBGRAPH_RETRY_ATTEMPTS: '2' });
    subgraph.behave('drop');
    const before = subgraph.requests();
    for (let fetch = 0; fetch < 30; fetch += 1) await codeOf(fetchThrough(client, viewer, query, { fetch }).response);
    expect(subgraph.requests() - before).toBe(30 + 10);
  });

  it('passes on the errors of a subgraph that answers 503 with a GraphQL body, and sends it once', async () => {
    const client = clientFor({ SUBGRAPH_BREAKER_FAILURES: '1' });
    subgraph.behave('database-down');
    const before = subgraph.requests();
    const response = await fetchThrough(client, viewer, query, {}).response;
    expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(subgraph.requests() - before).toBe(1);
    expect(client.circuitState()).toBe('closed');
  });

  it('aborts a fetch at its deadline, waiting for headers or for the rest of a body, and shares no stuck fetch', async () => {
    const client = clientFor({ SUBGRAPH_TIMEOUT_MS: '400' });
    for (const behaviour of ['hang', 'stall-body'] as const) {
      subgraph.behave(behaviour);
      const before = subgraph.requests();
      const started = Date.now();
      const codes = await Promise.all([codeOf(fetchThrough(client, viewer, query, {}).response), codeOf(fetchThrough(client, viewer, query, {}).response)]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(codes).toEqual(['SUBGRAPH_TIMEOUT', 'SUBGRAPH_TIMEOUT']);
      // The two identical fetches shared one request, and the next is sent afresh.
      expect(subgraph.requests() - before).toBe(1);
      subgraph.behave('ok');
      expect(await codeOf(fetchThrough(client, viewer, query, {}).response)).toBe('answered');
    }
  });

  it('opens its circuit after consecutive failures, fails fast without asking, then probes and closes by itself', async () => {
    const client = clientFor({ SUBGRAPH_BREAKER_FAILURES: '3', SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS: '300', SUBGRAPH_RETRY_ATTEMPTS: '0' });
    subgraph.behave('unavailable');
    for (let failure = 0; failure < 3; failure += 1) expect(await codeOf(fetchThrough(client, viewer, query, {}).response)).toBe('SUBGRAPH_UNAVAILABLE');
    expect(client.circuitState()).toBe('open');
    const before = subgraph.requests();
    const started = Date.now();
    expect(await codeOf(fetchThrough(client, viewer, 'mutation { ok }', {}, 'mutation').response)).toBe('SUBGRAPH_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(50);
    expect(subgraph.requests()).toBe(before);

    subgraph.behave('ok');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await codeOf(fetchThrough(client, viewer, query, {}).response)).toBe('answered');
    expect(client.circuitState()).toBe('closed');
  });
});
