import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import {
  contractOperation,
  errorCodes,
  placeOrder,
  postAsGateway,
  postGraphQL,
  signedInUser,
  startDatabaseOutage,
  startTestSupergraph,
  stockOf,
  oneTestBackend,
  testBackends,
  type GraphQLResponse,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

const ProductQuery = contractOperation('frontend', 'Product');
const Products = contractOperation('frontend', 'Products');
const UpdateProfile = contractOperation('frontend', 'UpdateProfile');
const UpdateProduct = contractOperation('admin', 'UpdateProduct');
const Me = contractOperation('frontend', 'Me');

const NUL = '\u0000';
/** What an answer must never show a client: a stack, a driver's or a database's words, a masked fault. */
const INTERNALS = /stacktrace|Internal server error|prisma|invocation|\.ts:\d+|22021|UTF8|0x00|pg_|terminating|ECONN/i;

/** A refusal of the client's request as a whole: its status, one error with its code, nothing else. */
function expectRefused(response: GraphQLResponse<unknown>, status: number, code: string) {
  expect({ status: response.status, codes: errorCodes(response) }).toEqual({ status, codes: [code] });
  expect(response.data ?? null).toBeNull();
  expect(JSON.stringify(response.errors)).not.toMatch(INTERNALS);
}

/** A fetch's answer, read as postGraphQL reads one. */
const answerOf = async (response: Response): Promise<GraphQLResponse<unknown>> => ({
  status: response.status,
  headers: response.headers,
  ...((await response.json()) as Omit<GraphQLResponse<unknown>, 'status' | 'headers'>),
});

/** A GET of an operation, as a browser sends one from a link or an image: no preflight header unless given. */
function getOperation(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const target = new URL(url);
  target.searchParams.set('query', query);
  target.searchParams.set('variables', JSON.stringify(variables));
  return fetch(target, { headers });
}

describe.each([oneTestBackend()])('client mistakes at the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let shopper: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    [shopper, admin] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph, 'ADMIN')]);
  });
  afterAll(() => supergraph?.stop());

  it('refuses two operations without an operationName with OPERATION_RESOLUTION_FAILURE (400)', async () => {
    const response = await supergraph.request({ query: 'query A { categories { id } } query B { categories { name } }' });
    expectRefused(response, 400, 'OPERATION_RESOLUTION_FAILURE');
    expect(response.errors![0]!.message).toBe('Must provide operation name if query contains multiple operations.');
  });

  it('refuses an unknown operationName with OPERATION_RESOLUTION_FAILURE (400)', async () => {
    const response = await supergraph.request({ query: 'query A { categories { id } }', operationName: 'Missing' });
    expectRefused(response, 400, 'OPERATION_RESOLUTION_FAILURE');
    expect(response.errors![0]!.message).toBe('Unknown operation named "Missing".');
  });

  it('refuses a subscription as an invalid document (400): the API has none', async () => {
    const response = await supergraph.request({ query: 'subscription { x }' });
    expectRefused(response, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(response.errors![0]!.message).toBe('The subscription operation is not supported by the schema.');
  });

  it('refuses a NUL byte in search, as a variable or a literal, with BAD_USER_INPUT (400)', async () => {
    const asVariable = await supergraph.request({ query: Products, variables: { filter: { search: `lamp${NUL}` } } });
    expectRefused(asVariable, 400, 'BAD_USER_INPUT');
    expect(asVariable.errors![0]!.extensions!.field).toBe('filter.search');
    expectRefused(await supergraph.request({ query: '{ products(filter: { search: "lamp\\u0000" }) { items { id } } }' }), 400, 'BAD_USER_INPUT');
  });

  it('refuses a NUL byte in brand with BAD_USER_INPUT (400)', async () => {
    expectRefused(await supergraph.request({ query: Products, variables: { filter: { brand: `Acme${NUL}` } } }), 400, 'BAD_USER_INPUT');
  });

  it('refuses a NUL byte in firstName with BAD_USER_INPUT (400), and leaves the profile as it was', async () => {
    const response = await supergraph.request({ query: UpdateProfile, variables: { input: { firstName: `Ann${NUL}`, lastName: 'Changed' } }, headers: shopper.headers });
    expectRefused(response, 400, 'BAD_USER_INPUT');
    const stored = await supergraph.users.prisma.user.findUniqueOrThrow({ where: { id: shopper.userId } });
    expect(stored.lastName).not.toBe('Changed');
  });

  it('refuses a NUL byte in idempotencyKey with BAD_USER_INPUT (400), and places no order', async () => {
    const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
    const response = await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 1 }], `order${NUL}1`);
    expectRefused(response, 400, 'BAD_USER_INPUT');
    expect(await supergraph.orders.prisma.order.count({ where: { userId: shopper.userId } })).toBe(0);
    expect(await stockOf(supergraph, product.id)).toBe(5);
  });

  it('has every subgraph refuse a NUL byte itself, whoever sent it (400)', async () => {
    const response = await postAsGateway(supergraph, 'catalog', { query: Products, variables: { filter: { search: NUL } } });
    expectRefused(response, 400, 'BAD_USER_INPUT');
  });

  it('refuses a simple GET (possible CSRF) whether or not its answer is cached', async () => {
    const product = await catalogBuilders(supergraph.catalog.prisma).product();
    const variables = { id: product.id };
    const cold = await getOperation(supergraph.gatewayUrl, ProductQuery, variables);
    expectRefused(await answerOf(cold), 400, 'BAD_REQUEST');

    const preflighted = await getOperation(supergraph.gatewayUrl, ProductQuery, variables, { 'apollo-require-preflight': 'true' });
    expect([preflighted.status, preflighted.headers.get('x-cache')]).toEqual([200, 'MISS']);
    const again = await getOperation(supergraph.gatewayUrl, ProductQuery, variables, { 'apollo-require-preflight': 'true' });
    expect([again.status, again.headers.get('x-cache')]).toEqual([200, 'HIT']);

    const warm = await getOperation(supergraph.gatewayUrl, ProductQuery, variables);
    expect(warm.headers.get('x-cache')).toBeNull();
    expectRefused(await answerOf(warm), 400, 'BAD_REQUEST');
    // However the query string spells its parameters.
    const encoded = await fetch(`${supergraph.gatewayUrl}?%71uery=${encodeURIComponent(ProductQuery)}&variables=${encodeURIComponent(JSON.stringify(variables))}`);
    expectRefused(await answerOf(encoded), 400, 'BAD_REQUEST');

    // A POST of a content type a browser sends cross-site without asking first, likewise.
    const simplePost = await fetch(supergraph.gatewayUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: ProductQuery, variables }) });
    expectRefused(await answerOf(simplePost), 400, 'BAD_REQUEST');
  });

  it("purges a product's cached null when the product is activated", async () => {
    const product = await catalogBuilders(supergraph.catalog.prisma).product({ isActive: false });
    const read = () => postGraphQL<{ product: { id: string } | null }>(supergraph.gatewayUrl, { query: ProductQuery, variables: { id: product.id } });
    const hidden = await read();
    expect([hidden.data, hidden.headers.get('x-cache')]).toEqual([{ product: null }, 'MISS']);
    expect((await read()).headers.get('x-cache')).toBe('HIT');

    const activated = await postGraphQL(supergraph.gatewayUrl, { query: UpdateProduct, variables: { id: product.id, input: { isActive: true } }, headers: admin.headers });
    expect(activated.errors).toBeUndefined();

    const shown = await read();
    expect(shown.data?.product?.id).toBe(product.id);
  });
});

/** Real PostgreSQL: a database that refuses connections and drops the ones it has, as a server going down does. */
describe.each(testBackends().filter((backend) => backend === 'postgres'))('a database outage (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let shopper: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    [shopper, admin] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph, 'ADMIN')]);
  });
  afterAll(() => supergraph?.stop());

  async function withOutage(subgraph: 'catalog' | 'orders', during: () => Promise<void>) {
    const [database] = await supergraph[subgraph].prisma.$queryRaw<Array<{ name: string }>>`SELECT current_database() AS name`;
    const outage = await startDatabaseOutage(database!.name);
    try {
      await during();
    } finally {
      await outage.end();
    }
  }

  /** An outage answer: 503, SERVICE_UNAVAILABLE, nothing else, soon. */
  async function expectUnavailable(send: () => Promise<GraphQLResponse<unknown>>) {
    const started = Date.now();
    const response = await send();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect({ status: response.status, codes: errorCodes(response) }).toEqual({ status: 503, codes: ['SERVICE_UNAVAILABLE'] });
    expect(Object.values((response.data ?? {}) as Record<string, unknown>).every((value) => value === null)).toBe(true);
    expect(JSON.stringify(response.errors)).not.toMatch(INTERNALS);
  }

  it('answers SERVICE_UNAVAILABLE (503) for a catalog database outage, writes nothing, and serves again once it is back', async () => {
    const product = await catalogBuilders(supergraph.catalog.prisma).product({ price: '10.00' });
    await withOutage('catalog', async () => {
      await expectUnavailable(() => supergraph.request({ query: Products, variables: { filter: { search: 'lamp' } } }));
      await expectUnavailable(() => supergraph.request({ query: ProductQuery, variables: { id: product.id } }));
      await expectUnavailable(() =>
        supergraph.request({ query: UpdateProduct, variables: { id: product.id, input: { price: '99.00' } }, headers: admin.headers }),
      );
    });
    const after = await supergraph.request<{ product: { price: { amount: string } } }>({ query: ProductQuery, variables: { id: product.id } });
    expect(after.status).toBe(200);
    expect(after.data?.product.price.amount).toBe('10.00');
  });

  it('answers the same for an orders database outage', async () => {
    await withOutage('orders', () => expectUnavailable(() => supergraph.request({ query: Me, headers: shopper.headers })));
    expect((await supergraph.request({ query: Me, headers: shopper.headers })).status).toBe(200);
  });
});

describe('client mistakes at a production-mode gateway process', () => {
  let supergraph: TestSupergraph;
  let gatewayUrl: string;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(oneTestBackend());
    gatewayUrl = (await supergraph.startGatewayProcess({ env: { NODE_ENV: 'production' } })).url;
  });
  afterAll(() => supergraph?.stop());

  it('suggests no input field names or values, in the document or in its variables', async () => {
    const misspelt = [
      { query: '{ products(filter: { serch: "lamp" }) { items { id } } }' },
      { query: Products, variables: { filter: { serch: 'lamp' } } },
      { query: Products, variables: { sort: 'PRICE_AS' } },
    ];
    for (const request of misspelt) {
      const response = await postGraphQL(gatewayUrl, request);
      expect(response.status).toBe(400);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.message).not.toMatch(/Did you mean|"search"|PRICE_ASC/);
    }
  });

  it('refuses an unknown operationName with OPERATION_RESOLUTION_FAILURE (400)', async () => {
    expectRefused(await postGraphQL(gatewayUrl, { query: 'query A { categories { id } }', operationName: 'B' }), 400, 'OPERATION_RESOLUTION_FAILURE');
  });

  it("names no subgraph in a subgraph's error, where development does", async () => {
    const request = { query: Products, variables: { page: 0 } };
    const development = await supergraph.request(request);
    expect(development.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'catalog' });
    const production = await postGraphQL(gatewayUrl, request);
    expectRefused(production, 400, 'BAD_USER_INPUT');
    expect(production.errors![0]!.extensions).not.toHaveProperty('serviceName');
  });
});
