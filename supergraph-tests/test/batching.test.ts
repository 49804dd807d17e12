import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import type { SubgraphUsage } from '@shop/graphql-kit/subgraph';
import { makeMany } from '@shop/testing';
import { orderBuilders } from '@shop/orders/testing';
import { contractOperation, signIn, signedInUser, startTestSupergraph, oneTestBackend, type SignedIn, type TestSupergraph } from '../src/index.js';
import { userBuilders } from '@shop/users/testing';

const AllOrders = contractOperation('admin', 'AllOrders');
const Products = contractOperation('frontend', 'Products');
const Me = contractOperation('frontend', 'Me');

const LARGE = 100;
const SMALL = 5;

type Subgraph = 'users' | 'catalog' | 'orders';
type Cost = Record<Subgraph, SubgraphUsage>;

/**
 * Batching is judged by what an operation costs, not by how long it takes: the SQL
 * statements and subgraph requests one operation causes must not grow with the number of
 * items it returns (no N+1 anywhere along entity resolution or relations).
 */
describe.each([oneTestBackend()])(`what an operation costs, at ${SMALL} and ${LARGE} items (%s)`, (backend) => {
  let supergraph: TestSupergraph;
  let admin: SignedIn;
  let bigSpender: SignedIn;
  let smallSpender: SignedIn;
  let categoryId: string;

  /** Runs one operation and returns what it cost each subgraph. */
  async function costOf(request: Parameters<TestSupergraph['request']>[0]): Promise<{ cost: Cost; data: unknown }> {
    const subgraphs: Subgraph[] = ['users', 'catalog', 'orders'];
    // The caller's credential check is cached at the gateway: make it before measuring, so
    // both sizes are measured alike.
    await supergraph.request({ query: '{ __typename }', headers: request.headers });
    const before = subgraphs.map((name) => supergraph[name].usage());
    const response = await supergraph.request(request);
    expect(response.errors).toBeUndefined();
    const after = subgraphs.map((name) => supergraph[name].usage());
    const cost = Object.fromEntries(
      subgraphs.map((name, index) => [
        name,
        { requests: after[index]!.requests - before[index]!.requests, statements: after[index]!.statements - before[index]!.statements },
      ]),
    ) as Cost;
    return { cost, data: response.data };
  }

  /**
   * The same subgraph requests, and no more statements than the small operation's. Reads by
   * id that concurrent requests ask in one turn share a statement (docs/adr/0043), and
   * whether two of one operation's requests to a subgraph meet in a turn is timing: each
   * meeting saves one statement, so a subgraph's n requests may have cost the small one up
   * to n - 1 fewer. An N+1 costs tens more.
   */
  function expectNoDearer(large: Cost, small: Cost) {
    for (const name of Object.keys(small) as Subgraph[]) {
      const { requests, statements } = small[name];
      const mostStatements = statements + Math.max(0, requests - 1);
      expect({ name, requests: large[name].requests }).toEqual({ name, requests });
      expect({ name, statements: large[name].statements }).toEqual({ name, statements: Math.min(large[name].statements, mostStatements) });
    }
  }

  beforeAll(async () => {
    // What executing costs: no response cache answering instead, no cache feed reading events.
    supergraph = await startTestSupergraph(backend, { responseCache: false });
    const catalog = catalogBuilders(supergraph.catalog.prisma);
    const orders = orderBuilders(supergraph.orders.prisma);
    const users = userBuilders(supergraph.users.prisma);
    admin = await signedInUser(supergraph, 'ADMIN');
    // Every order by its own user, every line its own product in one of several categories:
    // nothing an N+1 could hide behind.
    const categories = await Promise.all(Array.from({ length: 10 }, () => catalog.category()));
    categoryId = categories[0]!.id;
    const products = await makeMany(3 * LARGE, (index) => catalog.product({ categoryId: categories[index % categories.length]!.id, stockQuantity: 5 }));
    const buyers = await makeMany(LARGE, () => users.user());
    for (const [index, buyer] of buyers.entries()) {
      const lines = products.slice(3 * index, 3 * index + 3).map((product) => ({ productId: product.id, quantity: 1, unitPrice: '1.00' }));
      await orders.order(buyer.id, lines);
    }
    // Me: one user with many orders and cart lines, one with few.
    const [big, small] = await Promise.all([users.user(), users.user()]);
    for (const [user, count] of [
      [big, LARGE],
      [small, SMALL],
    ] as const) {
      for (const product of products.slice(0, count)) {
        await orders.order(user.id, [{ productId: product.id, quantity: 1, unitPrice: '1.00' }]);
        await orders.cartLine(user.id, product.id);
      }
    }
    [bigSpender, smallSpender] = await Promise.all([signIn(supergraph, big.email), signIn(supergraph, small.email)]);
  }, 300_000);
  afterAll(() => supergraph?.stop());

  it('AllOrders: 100 orders with their users and every item’s product cost what 5 do', async () => {
    const small = await costOf({ query: AllOrders, variables: { limit: SMALL }, headers: admin.headers });
    const large = await costOf({ query: AllOrders, variables: { limit: LARGE }, headers: admin.headers });
    const items = (result: { data: unknown }) => (result.data as { orders: { items: Array<{ user: { id: string }; items: Array<{ product: { id: string } | null }> }> } }).orders.items;
    expect(items(small)).toHaveLength(SMALL);
    expect(items(large)).toHaveLength(LARGE);
    // Every user and product really resolved, so the batches did the work.
    for (const order of items(large)) {
      expect(order.user.id).toBeTruthy();
      for (const line of order.items) expect(line.product?.id).toBeTruthy();
    }
    expectNoDearer(large.cost, small.cost);
    expect(large.cost.orders.statements).toBeGreaterThan(0);
    expect(large.cost.users.statements).toBeGreaterThan(0);
    expect(large.cost.catalog.statements).toBeGreaterThan(0);
  });

  it('Products with their categories: 100 cost what 5 do', async () => {
    const small = await costOf({ query: Products, variables: { limit: SMALL } });
    const large = await costOf({ query: Products, variables: { limit: LARGE } });
    const items = (result: { data: unknown }) => (result.data as { products: { items: Array<{ category: { id: string } | null }> } }).products.items;
    expect(items(small)).toHaveLength(SMALL);
    expect(items(large)).toHaveLength(LARGE);
    for (const product of items(large)) expect(product.category?.id).toBeTruthy();
    expectNoDearer(large.cost, small.cost);
  });

  it('a category’s products: 100 cost what 5 do', async () => {
    const query = `query CategoryProducts($id: ID!, $limit: Int) { category(id: $id) { id name children { id } products(limit: $limit) { items { id name category { id name parent { id } } } } } }`;
    const small = await costOf({ query, variables: { id: categoryId, limit: SMALL } });
    const large = await costOf({ query, variables: { id: categoryId, limit: LARGE } });
    const items = (result: { data: unknown }) => (result.data as { category: { products: { items: unknown[] } } }).category.products.items;
    expect(items(small)).toHaveLength(SMALL);
    expect(items(large).length).toBeGreaterThan(SMALL);
    expectNoDearer(large.cost, small.cost);
  });

  it('Me with a cart and orders: 100 lines cost what 5 do', async () => {
    const small = await costOf({ query: Me, headers: smallSpender.headers });
    const large = await costOf({ query: Me, headers: bigSpender.headers });
    const cart = (result: { data: unknown }) => (result.data as { me: { cart: { items: unknown[] } } }).me.cart.items;
    expect(cart(small)).toHaveLength(SMALL);
    expect(cart(large)).toHaveLength(LARGE);
    expectNoDearer(large.cost, small.cost);
  });
});
