import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, type CatalogBuilders } from '@shop/catalog/testing';
import { asGatewayTo, personViewer } from '@shop/testing/subgraph';
import {
  contractOperation,
  placeOrder,
  postGraphQL,
  sharedRedis,
  signedInUser,
  startTestSupergraph,
  testBackends,
  type GraphQLRequest,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

const Products = contractOperation('frontend', 'Products');
const ProductQuery = contractOperation('frontend', 'Product');
const Me = contractOperation('frontend', 'Me');
const AddToCart = contractOperation('frontend', 'AddToCart');
const UpdateProduct = contractOperation('admin', 'UpdateProduct');

type Money = { amount: string; currency: string };
type ListedProduct = { id: string; inStock: boolean; price: Money };

/** Events (the order saga's stock changes) reach the cache within the feed's poll; this bounds the wait. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/**
 * Both event paths (docs/adr/0030): on PostgreSQL with TEST_NATS_URL the subgraph events come
 * through a stream of the run's own; on PGlite through the subgraphs' HTTP feeds.
 */
describe.each(testBackends())('the response cache (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: CatalogBuilders;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = catalogBuilders(supergraph.catalog.prisma);
    admin = await signedInUser(supergraph, 'ADMIN');
  });
  afterAll(() => supergraph?.stop());

  /** A category of its own per test, so that each test's lists hold only its products. */
  async function categoryWith(count: number, data: Parameters<CatalogBuilders['product']>[0] = {}) {
    const category = await build.category();
    const products = [];
    for (let index = 0; index < count; index++) products.push(await build.product({ categoryId: category.id, price: '10.00', stockQuantity: 5, ...data }));
    return { category, products };
  }

  const listOf = (categoryId: string, url = supergraph.gatewayUrl, filter: Record<string, unknown> = {}) =>
    postGraphQL<{ products: { items: ListedProduct[] } }>(url, { query: Products, variables: { filter: { categoryId, ...filter }, limit: 50 } });
  const productById = (id: string, url = supergraph.gatewayUrl) => postGraphQL<{ product: ListedProduct | null }>(url, { query: ProductQuery, variables: { id } });
  const updateProduct = (id: string, input: Record<string, unknown>, url = supergraph.gatewayUrl) =>
    postGraphQL(url, { query: UpdateProduct, variables: { id, input }, headers: admin.headers });

  it('answers a repeated public read from the cache, byte for byte, with its policy', async () => {
    const { category } = await categoryWith(3);
    const first = await fetch(supergraph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: Products, variables: { filter: { categoryId: category.id } } }),
    });
    const second = await fetch(supergraph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // The same variables in another order are the same request.
      body: JSON.stringify({ variables: { filter: { categoryId: category.id } }, query: Products }),
    });
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(first.headers.get('cache-control')).toBe('max-age=60, public');
    expect(second.headers.get('cache-control')).toMatch(/^max-age=\d+, public$/);
    expect(await second.text()).toBe(await first.text());
  });

  it('answers an admin’s cost report afresh, never from the cache, and stores nothing of it', async () => {
    const { category } = await categoryWith(1);
    const request = { query: Products, variables: { filter: { categoryId: category.id }, limit: 3 } };
    await supergraph.request({ ...request, headers: admin.headers });
    expect((await supergraph.request({ ...request, headers: admin.headers })).headers.get('x-cache')).toBe('HIT');
    const report = await supergraph.request({ ...request, headers: { ...admin.headers, 'x-cost-report': 'true' } });
    expect(report.headers.get('x-cache')).toBe('BYPASS');
    // A page of 3 products, each with its price and category, the page's meta, and the filter (an input object): 1 + 3 × 3 + 1 + 1.
    expect(report.headers.get('x-cost-estimated')).toBe('12');
    const next = await supergraph.request({ ...request, headers: admin.headers });
    expect(next.headers.get('x-cache')).toBe('HIT');
    expect(JSON.stringify(next)).not.toContain('"cost"');
  });

  it('never serves one caller’s private answer to another', async () => {
    const [alice, bob] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph)]);
    const meOf = (caller: SignedIn | null) => supergraph.request<{ me: { id: string; email: string } | null }>({ query: Me, headers: caller?.headers });
    const aliceFirst = await meOf(alice);
    const aliceAgain = await meOf(alice);
    expect(aliceFirst.headers.get('cache-control')).toMatch(/private/);
    expect(aliceAgain.headers.get('x-cache')).toBe('HIT');
    expect(aliceAgain.data!.me!.id).toBe(alice.userId);

    const bobs = await meOf(bob);
    expect(bobs.headers.get('x-cache')).toBe('MISS');
    expect(bobs.data!.me!.id).toBe(bob.userId);
    expect(JSON.stringify(bobs)).not.toContain(alice.email);

    const anonymous = await meOf(null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(anonymous)).not.toContain(alice.email);

    // A bad credential is refused, never answered from anyone's cache.
    const forged = await supergraph.request({ query: Me, headers: { authorization: `${alice.headers.authorization}x` } });
    expect(forged.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps what administrators see (inactive products too) out of everyone else’s answers', async () => {
    const { category, products } = await categoryWith(1);
    const hidden = await build.product({ categoryId: category.id, isActive: false });
    const adminList = await postGraphQL<{ products: { items: ListedProduct[] } }>(supergraph.gatewayUrl, {
      query: Products,
      variables: { filter: { categoryId: category.id }, limit: 50 },
      headers: admin.headers,
    });
    expect(adminList.headers.get('cache-control')).toMatch(/private/);
    const publicList = await listOf(category.id);
    expect(publicList.headers.get('x-cache')).toBe('MISS');
    expect(publicList.data!.products.items.map((item) => item.id)).toEqual([products[0]!.id]);
    expect(JSON.stringify(publicList.data)).not.toContain(hidden.id);
  });

  it('shows an administrator’s price change on the very next Product and Products read', async () => {
    const { category, products } = await categoryWith(2);
    const target = products[0]!;
    await listOf(category.id);
    await productById(target.id);
    expect((await listOf(category.id)).headers.get('x-cache')).toBe('HIT');
    expect((await productById(target.id)).headers.get('x-cache')).toBe('HIT');

    const updated = await updateProduct(target.id, { price: '12.34' });
    expect(updated.errors).toBeUndefined();

    const list = await listOf(category.id);
    const single = await productById(target.id);
    expect(list.data!.products.items.find((item) => item.id === target.id)!.price.amount).toBe('12.34');
    expect(single.data!.product!.price.amount).toBe('12.34');
    // The untouched product's own cached answer is still there.
    expect((await productById(products[1]!.id)).data!.product!.price.amount).toBe('10.00');
  });

  it('drops a product that goes inactive from cached lists at once', async () => {
    const { category, products } = await categoryWith(3);
    expect((await listOf(category.id)).data!.products.items).toHaveLength(3);
    await updateProduct(products[1]!.id, { isActive: false });
    const after = await listOf(category.id);
    expect(after.data!.products.items.map((item) => item.id).sort()).toEqual([products[0]!.id, products[2]!.id].sort());
  });

  it('drops a product that sells out from cached in-stock lists, through the order saga’s events', async () => {
    const { category, products } = await categoryWith(2, { stockQuantity: 2 });
    const soldOut = products[0]!;
    const inStock = { inStock: true };
    expect((await listOf(category.id, supergraph.gatewayUrl, inStock)).data!.products.items).toHaveLength(2);
    await productById(soldOut.id);

    const buyer = await signedInUser(supergraph);
    const placed = await placeOrder(supergraph, buyer, [{ productId: soldOut.id, quantity: 2 }]);
    expect(placed.errors).toBeUndefined();

    // Stock changes in catalog, not in the mutation's own subgraph: the change arrives by event.
    const list = await eventually(
      () => listOf(category.id, supergraph.gatewayUrl, inStock),
      (response) => response.data!.products.items.length === 1,
    );
    expect(list.data!.products.items.map((item) => item.id)).toEqual([products[1]!.id]);
    // The list may have been recomputed for another reason first: the product's own answer
    // follows once the event arrives.
    const single = await eventually(() => productById(soldOut.id), (response) => response.data!.product!.inStock === false);
    expect(single.data!.product!.inStock).toBe(false);

    // Cancelling puts the stock back, and the product back in the list.
    const cancel = await supergraph.request({
      query: contractOperation('frontend', 'CancelOrder'),
      variables: { id: placed.data!.placeOrder.id },
      headers: buyer.headers,
    });
    expect(cancel.errors).toBeUndefined();
    const restocked = await eventually(
      () => listOf(category.id, supergraph.gatewayUrl, inStock),
      (response) => response.data!.products.items.length === 2,
    );
    expect(restocked.data!.products.items).toHaveLength(2);
  });

  it('shows a cart change on the next Me', async () => {
    const shopper = await signedInUser(supergraph);
    const { products } = await categoryWith(1);
    const cartSize = async () =>
      (await supergraph.request<{ me: { cart: { items: unknown[] } } }>({ query: Me, headers: shopper.headers })).data!.me.cart.items.length;
    expect(await cartSize()).toBe(0);
    expect(await cartSize()).toBe(0);
    const added = await supergraph.request({ query: AddToCart, variables: { productId: products[0]!.id, quantity: 1 }, headers: shopper.headers });
    expect(added.errors).toBeUndefined();
    expect(await cartSize()).toBe(1);
  });

  it('computes a cold answer once for many concurrent identical requests', async () => {
    // A product of its own: no other test's events can purge its answer while the burst runs.
    const { products } = await categoryWith(1);
    const request: GraphQLRequest = { query: ProductQuery, variables: { id: products[0]!.id } };
    const answers = await Promise.all(Array.from({ length: 25 }, () => supergraph.request(request)));
    expect(answers.every((answer) => answer.errors === undefined)).toBe(true);
    expect(new Set(answers.map((answer) => JSON.stringify(answer.data))).size).toBe(1);
    // One computed it; every other waited for that answer instead of computing its own.
    expect(answers.filter((answer) => answer.headers.get('x-cache') === 'MISS')).toHaveLength(1);
    expect(answers.filter((answer) => answer.headers.get('x-cache') === 'HIT')).toHaveLength(24);
  });

  it('runs identical concurrent mutations each on its own, never through the cache', async () => {
    const shopper = await signedInUser(supergraph);
    const { products } = await categoryWith(1);
    const add = { query: AddToCart, variables: { productId: products[0]!.id, quantity: 1 }, headers: shopper.headers };
    const answers = await Promise.all([supergraph.request(add), supergraph.request(add), supergraph.request(add)]);
    expect(answers.map((answer) => answer.errors)).toEqual([undefined, undefined, undefined]);
    expect(answers.map((answer) => answer.headers.get('x-cache'))).toEqual(['BYPASS', 'BYPASS', 'BYPASS']);
    const cart = await supergraph.request<{ me: { cart: { items: Array<{ quantity: number }> } } }>({ query: Me, headers: shopper.headers });
    expect(cart.data!.me.cart.items.map((item) => item.quantity)).toEqual([3]);
  });

  it('never caches an error', async () => {
    const bad = { query: ProductQuery, variables: { id: 'not-an-id' } };
    const first = await supergraph.request(bad);
    const second = await supergraph.request(bad);
    expect(first.errors).toBeDefined();
    expect(second.headers.get('x-cache')).not.toBe('HIT');
  });

  // One process's memory is not shared: this needs Redis.
  (sharedRedis ? it : it.skip)('purges across gateway processes that share the store', async () => {
    const other = await supergraph.startGatewayProcess();
    const { category, products } = await categoryWith(1);
    await listOf(category.id, other.url);
    expect((await listOf(category.id, other.url)).headers.get('x-cache')).toBe('HIT');
    // Filled by the other instance, read here: one shared store.
    expect((await listOf(category.id)).headers.get('x-cache')).toBe('HIT');

    await updateProduct(products[0]!.id, { price: '99.99' });
    const seenByOther = await listOf(category.id, other.url);
    expect(seenByOther.data!.products.items[0]!.price.amount).toBe('99.99');
    expect((await listOf(category.id)).data!.products.items[0]!.price.amount).toBe('99.99');

    // And the other way round: a change made through the other process, read here.
    expect((await updateProduct(products[0]!.id, { price: '12.50' }, other.url)).errors).toBeUndefined();
    expect((await listOf(category.id)).data!.products.items[0]!.price.amount).toBe('12.50');
  });
  /** A change made in catalog itself, not through any gateway: gateways learn of it only by its events. */
  const repriceInCatalog = async (productId: string, price: string) => {
    const send = asGatewayTo('catalog', { url: supergraph.catalog.url, keys: supergraph.gatewayKeys });
    const updated = await send({ query: 'mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }', variables: { id: productId, input: { price } } }, personViewer('ADMIN'));
    expect(updated.errors).toBeUndefined();
  };
  const purgesOf = async (metricsUrl: string) => Number(/^gateway_response_cache_purges_total (\d+)/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);

  it('purges on every gateway instance, for a change made past all of them', async () => {
    const other = await supergraph.startAnotherGateway();
    const { category, products } = await categoryWith(1);
    await listOf(category.id);
    await listOf(category.id, other.url);
    const before = await Promise.all([purgesOf(supergraph.gateway.metricsUrl), purgesOf(other.metricsUrl)]);

    await repriceInCatalog(products[0]!.id, '77.70');

    for (const url of [supergraph.gatewayUrl, other.url]) {
      const list = await eventually(() => listOf(category.id, url), (response) => response.data!.products.items[0]!.price.amount === '77.70');
      expect(list.data!.products.items[0]!.price.amount).toBe('77.70');
    }
    // Through the stream each instance reads every event and purges on its own. (HTTP feeds read
    // into one store share its checkpoint: one instance's purge serves them all.)
    if (supergraph.nats) {
      const after = await eventually(
        () => Promise.all([purgesOf(supergraph.gateway.metricsUrl), purgesOf(other.metricsUrl)]),
        (counts) => counts.every((count, index) => count > before[index]!),
      );
      expect(after.map((count, index) => count > before[index]!)).toEqual([true, true]);
    }
  });

  // A cache of its own that outlives the instance: this needs Redis.
  (sharedRedis ? it : it.skip)('catches up, once started again, on the changes made while a gateway was stopped', async () => {
    const { category, products } = await categoryWith(1);
    let stopped = await supergraph.startAnotherGateway({ ownCache: 'stopped' });
    // A store with no checkpoint yet reads every event there is first: what it purges meanwhile is cached again after.
    const cached = await eventually(() => listOf(category.id, stopped.url), (response) => response.headers.get('x-cache') === 'HIT');
    expect(cached.headers.get('x-cache')).toBe('HIT');
    await stopped.stop();

    await repriceInCatalog(products[0]!.id, '55.50');
    // Seen where a gateway was running; the stopped one's cache still holds the old price.
    await eventually(() => listOf(category.id), (response) => response.data!.products.items[0]!.price.amount === '55.50');

    stopped = await supergraph.startAnotherGateway({ ownCache: 'stopped' });
    const caughtUp = await eventually(() => listOf(category.id, stopped.url), (response) => response.data!.products.items[0]!.price.amount === '55.50');
    expect(caughtUp.data!.products.items[0]!.price.amount).toBe('55.50');
  });
});
