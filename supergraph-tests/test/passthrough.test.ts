import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import type { RunningGateway } from '@shop/gateway';
import { contractOperation, oneTestBackend, signedInUser, startTestSupergraph, type TestSupergraph } from '../src/index.js';

interface Sent {
  status: number;
  body: string;
  cacheControl: string | null;
  xCache: string | null;
}

async function post(url: string, request: { query: string; variables?: Record<string, unknown>; operationName?: string }, headers: Record<string, string> = {}): Promise<Sent> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(request) });
  return { status: response.status, body: await response.text(), cacheControl: response.headers.get('cache-control'), xCache: response.headers.get('x-cache') };
}

/** The gateway's count of queries of each passthrough result, from its Prometheus endpoint. */
async function passthroughCounts(gateway: RunningGateway): Promise<{ passed: number; executed: number }> {
  const text = await (await fetch(gateway.metricsUrl)).text();
  const count = (result: string) => Number(new RegExp(`^gateway_single_fetch_passthrough_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { passed: count('passed'), executed: count('executed') };
}

const ALIASED = `query Aliased($id: ID!) {
  first: product(id: $id) { __typename id title: name price { amount } price { currency } category { name } }
  again: product(id: $id) { id }
}`;
const CARD = `fragment Card on Product { name price { ...Amount currency } }
fragment Amount on Money { amount }`;
/** Apollo's planner moves a named fragment's fields first: the passthrough sends the client's own operation. */
const FRAGMENTED = `query Fragmented($limit: Int = 2, $search: String) {
  products(limit: $limit, filter: { search: $search }, sort: NAME_ASC) { items { id ...Card } meta { totalItems } }
}
query Other { products { items { ...Brand } } }
fragment Brand on Product { brand }
${CARD}`;
const CHEAPER_THAN = `query CheaperThan($max: Decimal) { products(filter: { maxPrice: $max }) { items { id ...Card } } }
${CARD}`;
/** Apollo's gateway answers a root `__typename` itself. */
const ROOT_TYPENAME = `query RootTypename($id: ID!) { product(id: $id) { id } __typename }`;
const INLINE = `query Tree { categories { ... { id name } ... on Category { parent { id } children { id name } } } }`;
const INCLUDED = `query Included($id: ID!, $withName: Boolean!) { product(id: $id) { id name @include(if: $withName) } }`;
const STOCK = `query Stock($id: ID!) { product(id: $id) { id stockQuantity inStock } }`;

/**
 * The single-fetch passthrough (docs/adr/0048) against the same subgraphs with it off: every
 * answer, byte for byte, with its status and cache policy, and the gateway's own count of what
 * passed through, so that an answer equal only because nothing passed cannot pass here.
 */
describe.each([oneTestBackend()])('single-fetch passthrough (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let executing: RunningGateway;
  let productId: string;
  let admin: Record<string, string>;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, { responseCache: false });
    executing = await supergraph.startAnotherGateway({ singleFetchPassthrough: false });
    const build = catalogBuilders(supergraph.catalog.prisma);
    const parent = await build.category({ name: 'Passthrough tools' });
    const category = await build.category({ name: 'Passthrough saws', parentId: parent.id });
    productId = (await build.product({ name: 'Saw "Ü" \u2028 ✓', categoryId: category.id, price: '12.50', stockQuantity: 3 })).id;
    for (let index = 0; index < 4; index++) await build.product({ name: `Passthrough chisel ${index}`, categoryId: category.id, price: `${index + 1}.05` });
    admin = (await signedInUser(supergraph, 'ADMIN')).headers;
  }, 120_000);
  afterAll(async () => {
    await supergraph?.stop();
  });

  /** Sends the request to both gateways, twice to the passthrough one (its first run plans the operation). */
  async function bothWays(request: { query: string; variables?: Record<string, unknown>; operationName?: string }, headers: Record<string, string> = {}) {
    await post(supergraph.gatewayUrl, request, headers);
    const before = await passthroughCounts(supergraph.gateway);
    const passed = await post(supergraph.gatewayUrl, request, headers);
    const after = await passthroughCounts(supergraph.gateway);
    const executed = await post(executing.url, request, headers);
    expect(passed).toEqual(executed);
    return { answer: passed, passed: after.passed - before.passed, executed: after.executed - before.executed };
  }

  it.each([
    ['a product page (the storefront contract)', () => ({ query: contractOperation('frontend', 'Products'), variables: { filter: { search: 'passthrough' }, page: 1, limit: 3, sort: 'PRICE_DESC' } })],
    ['a product (the storefront contract)', () => ({ query: contractOperation('frontend', 'Product'), variables: { id: productId } })],
    ['aliases, a repeated key and __typename', () => ({ query: ALIASED, variables: { id: productId } })],
    ['inline fragments', () => ({ query: INLINE })],
    ['named fragments the planner reorders, a variable given', () => ({ query: FRAGMENTED, operationName: 'Fragmented', variables: { limit: 3, search: 'passthrough' } })],
    ['named fragments the planner reorders, a variable left to its default', () => ({ query: FRAGMENTED, operationName: 'Fragmented', variables: { search: 'passthrough' } })],
    ['a product that does not exist', () => ({ query: ALIASED, variables: { id: '00000000-0000-4000-8000-000000000000' } })],
  ])('writes the subgraph\'s answer as Apollo\'s executor would shape it: %s', async (_case, request) => {
    const { answer, passed, executed } = await bothWays(request());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).errors).toBeUndefined();
    expect(answer.cacheControl).toMatch(/max-age=\d+/);
    expect({ passed, executed }).toEqual({ passed: 1, executed: 0 });
  });

  it('passes an admin\'s access-controlled field through, and refuses it to an anonymous caller before any fetch', async () => {
    const forAdmin = await bothWays({ query: STOCK, variables: { id: productId } }, admin);
    expect(JSON.parse(forAdmin.answer.body)).toEqual({ data: { product: { id: productId, stockQuantity: 3, inStock: true } } });
    expect(forAdmin.passed).toBe(1);
    const served = supergraph.catalog.usage().requests;
    const forShopper = await bothWays({ query: STOCK, variables: { id: productId } });
    expect(JSON.parse(forShopper.answer.body).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(supergraph.catalog.usage().requests).toBe(served);
  });

  it('leaves a directive, and what the gateway answers itself, to Apollo\'s executor', async () => {
    for (const withName of [true, false]) {
      const { answer, passed, executed } = await bothWays({ query: INCLUDED, variables: { id: productId, withName } });
      expect(JSON.parse(answer.body).data.product.name).toBe(withName ? 'Saw "Ü" \u2028 ✓' : undefined);
      expect({ passed, executed }).toEqual({ passed: 0, executed: 0 });
    }
    const { answer, passed, executed } = await bothWays({ query: ROOT_TYPENAME, variables: { id: productId } });
    expect(JSON.parse(answer.body).data.__typename).toBe('Query');
    expect({ passed, executed }).toEqual({ passed: 0, executed: 0 });
  });

  it.each([
    ['the planned fetch', () => ({ query: contractOperation('frontend', 'Products'), variables: { filter: { minPrice: 'not a price' }, page: 1, limit: 3 } })],
    ["the client's own operation", () => ({ query: CHEAPER_THAN, variables: { max: 'not a price' } })],
  ])('hands an answer with errors to Apollo\'s executor, which shapes it without asking the subgraph again (%s sent)', async (_case, makeRequest) => {
    const request = makeRequest();
    await post(supergraph.gatewayUrl, request);
    const served = supergraph.catalog.usage().requests;
    const { answer, passed, executed } = await bothWays(request);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect({ passed, executed }).toEqual({ passed: 0, executed: 1 });
    // One fetch for each of the three requests: the passthrough's fetch served Apollo's executor too.
    expect(supergraph.catalog.usage().requests - served).toBe(3);
  });

  it('refuses variables the schema does not accept before any fetch, as Apollo\'s executor does', async () => {
    const served = supergraph.catalog.usage().requests;
    const { answer, passed, executed } = await bothWays({ query: contractOperation('frontend', 'Products'), variables: { filter: {}, page: 'one', limit: 3 } });
    expect(answer.status).toBe(400);
    expect({ passed, executed }).toEqual({ passed: 0, executed: 0 });
    expect(supergraph.catalog.usage().requests).toBe(served);
  });
});

describe.each([oneTestBackend()])('single-fetch passthrough and the response cache (%s)', (backend) => {
  let supergraph: TestSupergraph;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
  }, 120_000);
  afterAll(async () => {
    await supergraph?.stop();
  });

  it('stores an answer that passed through under the entities the subgraph reported, and purges it when one changes', async () => {
    const build = catalogBuilders(supergraph.catalog.prisma);
    const admin = (await signedInUser(supergraph, 'ADMIN')).headers;
    const productPage = (id: string) => ({ query: contractOperation('frontend', 'Product'), variables: { id } });
    // The first run plans the operation.
    expect((await post(supergraph.gatewayUrl, productPage((await build.product()).id))).xCache).toBe('MISS');
    const { id } = await build.product({ name: 'Cached passthrough' });
    const before = await passthroughCounts(supergraph.gateway);
    const miss = await post(supergraph.gatewayUrl, productPage(id));
    expect(miss.xCache).toBe('MISS');
    expect((await passthroughCounts(supergraph.gateway)).passed - before.passed).toBe(1);
    expect(await post(supergraph.gatewayUrl, productPage(id))).toEqual({ ...miss, xCache: 'HIT' });

    const rename = { query: 'mutation Rename($id: ID!) { updateProduct(id: $id, input: { name: "Renamed passthrough" }) { id } }', variables: { id } };
    expect(JSON.parse((await post(supergraph.gatewayUrl, rename, admin)).body).errors).toBeUndefined();
    const afterChange = await post(supergraph.gatewayUrl, productPage(id));
    expect(afterChange.xCache).toBe('MISS');
    expect(JSON.parse(afterChange.body).data.product.name).toBe('Renamed passthrough');
  });
});
