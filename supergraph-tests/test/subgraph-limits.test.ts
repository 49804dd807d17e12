import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import { parseConfig, subgraphLimitsSchema } from '@shop/config';
import {
  errorCodes,
  placeOrder,
  placementLedger,
  postAsGateway,
  signedInUser,
  startTestSupergraph,
  stockOf,
  oneTestBackend,
  type TestSupergraph,
} from '../src/index.js';

const defaults = parseConfig(subgraphLimitsSchema, {});
const MAX_ROWS = 50;
const PRODUCTS = 60;

/** `products(limit: 100)` under each product's `category`, `levels` times over: 3 levels deeper each time. */
function nestedProducts(levels: number): string {
  let selection = 'id';
  for (let level = 0; level < levels; level++) selection = `products(limit: 100) { items { id category { ${selection} } } }`;
  return `{ ${selection} }`;
}

const ALL_PRODUCTS = '{ products(limit: 100) { items { id } } }';
const FEW_PRODUCTS = '{ products(limit: 5) { items { id } } }';

const tooManyRecords = {
  message: `This request loads more than ${MAX_ROWS} records; ask for fewer (smaller limit, fewer nested lists)`,
  extensions: { code: 'RESULT_TOO_LARGE' },
};

/**
 * Each subgraph survives any request that reaches it, from the gateway or not: documents past
 * its depth or token bound are refused before they run, and a request that loads more rows
 * than one request may is stopped with one clear error, its transaction rolled back.
 */
describe.each([oneTestBackend()])('what a subgraph refuses or stops on its own (%s)', (backend) => {
  let supergraph: TestSupergraph;

  /** Straight to catalog, as the gateway would send it (a valid gateway signature). */
  const toCatalog = <Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    postAsGateway<Data>(supergraph, 'catalog', { query, variables });

  const catalogStatements = () => supergraph.catalog.usage().statements;

  beforeAll(async () => {
    // No response cache: its event feed reads would move catalog's statement counter.
    supergraph = await startTestSupergraph(backend, { responseCache: false, subgraphLimits: { maxRowsPerRequest: MAX_ROWS } });
    const catalog = catalogBuilders(supergraph.catalog.prisma);
    const category = await catalog.category();
    for (let index = 0; index < PRODUCTS; index++) await catalog.product({ categoryId: category.id });
  }, 120_000);
  afterAll(() => supergraph?.stop());

  it('refuses a query nested 40 levels deep before running any of it', async () => {
    expect(defaults.maxDepth).toBeLessThan(40);
    const before = catalogStatements();
    const response = await toCatalog(nestedProducts(13));
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['MAX_DEPTH_LIMIT']);
    expect(response.data).toBeUndefined();
    expect(catalogStatements()).toBe(before);
  });

  it('refuses a document of more tokens than the bound, however shallow', async () => {
    const before = catalogStatements();
    const response = await toCatalog(`{ products(limit: 1) { items { ${'id '.repeat(defaults.maxTokens)} } } }`);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['MAX_TOKENS_LIMIT']);
    expect(catalogStatements()).toBe(before);
  });

  it('still serves the federation queries the gateway sends (_service, _entities)', async () => {
    const service = await toCatalog<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(service.status).toBe(200);
    expect(service.data?._service.sdl).toContain('type Product');

    const [product] = (await toCatalog<{ products: { items: Array<{ id: string }> } }>(FEW_PRODUCTS)).data!.products.items;
    const entities = await toCatalog<{ _entities: unknown[] }>(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id category { products(limit: 1) { items { id } } } } } }',
      { representations: [{ __typename: 'Product', id: product!.id }] },
    );
    expect(entities.errors).toBeUndefined();
    expect(entities.data?._entities).toEqual([{ id: product!.id, category: { products: { items: [expect.objectContaining({ id: expect.any(String) })] } } }]);
  });

  it('stops a request loading more records than the bound with one clear error, and stays healthy', async () => {
    const direct = await toCatalog(ALL_PRODUCTS);
    expect(direct.status).toBe(400);
    expect(direct.errors).toEqual([tooManyRecords]);
    expect(direct.data).toBeUndefined();

    const throughGateway = await supergraph.request({ query: ALL_PRODUCTS });
    expect(throughGateway.status).toBeLessThan(500);
    expect(errorCodes(throughGateway)).toEqual(['RESULT_TOO_LARGE']);
    expect(throughGateway.errors![0]!.message).toBe(tooManyRecords.message);
    expect(throughGateway.errors![0]!.extensions).not.toHaveProperty('stacktrace');
    expect(throughGateway.data ?? null).toBeNull();

    const few = await supergraph.request<{ products: { items: unknown[] } }>({ query: FEW_PRODUCTS });
    expect(few.errors).toBeUndefined();
    expect(few.data!.products.items).toHaveLength(5);
    expect((await fetch(new URL('/health', supergraph.catalog.url))).status).toBe(200);
  });

  it('stops the attack query too, whatever its depth allows', async () => {
    const response = await toCatalog(nestedProducts(4));
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([tooManyRecords]);
  });

  it('rolls a mutation that passes the bound back: no half-written order, no stock taken', async () => {
    const shopper = await signedInUser(supergraph);
    const products = await supergraph.catalog.prisma.product.findMany({ take: PRODUCTS });
    const stockBefore = await stockOf(supergraph, products[0]!.id);

    // Its lines alone are more rows than the bound: the order and its lines are written in one transaction.
    const response = await placeOrder(
      supergraph,
      shopper,
      products.map((product) => ({ productId: product.id, quantity: 1 })),
    );
    expect(response.status).toBeLessThan(500);
    expect(errorCodes(response)).toEqual(['RESULT_TOO_LARGE']);
    expect(response.data ?? null).toBeNull();

    const ledger = await placementLedger(supergraph);
    expect(ledger.orders.filter((order) => order.userId === shopper.userId)).toEqual([]);
    expect(await supergraph.orders.prisma.orderItem.count()).toBe(0);
    expect(ledger.reservations).toEqual([]);
    expect(await stockOf(supergraph, products[0]!.id)).toBe(stockBefore);
  });
});
