import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Viewer } from '@shop/auth';
import { catalogBuilders } from '@shop/catalog/testing';
import { contractOperation, signedInUser, startTestSupergraph, testBackends, type TestSupergraph } from '@shop/testing';
import { CacheRecorder } from '../src/cache/recorder.js';
import { SubgraphClient } from '../src/subgraph-client.js';

type Hint = { maxAge: number; scope?: string };

/**
 * The gateway's client for one subgraph, against the real catalog subgraph over HTTP. Its
 * fetches are started in one tick here, so which of them share a request is certain.
 */
describe.each(testBackends())('the subgraph client (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let client: SubgraphClient;
  let productId: string;
  const admin: Viewer = { kind: 'user', userId: 'admin-1', role: 'ADMIN', sessionId: 'session-a' };
  const shopper: Viewer = { kind: 'user', userId: 'user-1', role: 'USER', sessionId: 'session-b' };

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, { responseCache: false });
    client = new SubgraphClient('catalog', supergraph.catalog.url, supergraph.gatewayKeys);
    productId = (await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 4 })).id;
  });
  afterAll(async () => {
    await client?.close();
    await supergraph?.stop();
  });

  /** One fetch as the gateway makes it while executing an operation of `operation`'s type. */
  function fetchAs(viewer: Viewer, query: string, variables: Record<string, unknown>, operation: 'query' | 'mutation' = 'query', via = client) {
    const hints: Hint[] = [];
    const recorder = new CacheRecorder();
    const context = { viewer, clientIp: null, cache: recorder };
    const response = via.process({
      kind: 'incoming operation',
      request: { query, variables },
      context,
      incomingRequestContext: { operation: { operation }, overallCachePolicy: { restrict: (hint: Hint) => hints.push(hint) }, context },
    } as unknown as Parameters<SubgraphClient['process']>[0]);
    return { response, hints, recorder };
  }

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
    const nowhere = new SubgraphClient('catalog', 'http://127.0.0.1:1/graphql', supergraph.gatewayKeys);
    try {
      const failed = fetchAs(admin, productQuery, { id: productId }, 'query', nowhere).response;
      await expect(failed).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
      await expect(failed).rejects.not.toThrow(/127\.0\.0\.1/);
    } finally {
      await nowhere.close();
    }
  });
});
