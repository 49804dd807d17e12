import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, type CatalogBuilders } from '@shop/catalog/testing';
import type { PlacementHooks } from '@shop/orders';
import {
  contractOperation,
  errorCodes,
  placeOrder,
  signedInUser,
  startTestSupergraph,
  stockOf,
  testBackends,
  type GraphQLResponse,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

const AddToCart = contractOperation('frontend', 'AddToCart');
const Checkout = contractOperation('frontend', 'Checkout');
const CancelOrder = contractOperation('frontend', 'CancelOrder');
const CartProbe = `mutation CartProbe($productId: ID!, $quantity: Int!) {
  updateCartItem(productId: $productId, quantity: $quantity) { items { quantity available product { id } } subtotal { amount } }
}`;
const AdminStock = 'query AdminStock($id: ID!) { product(id: $id) { id stockQuantity } }';

/**
 * Findings 3, 8a and 9 of the outside security test (issue 14, docs/adr/0012): a cart
 * becomes one order however often it is checked out, a shopper learns no more about stock
 * than the public per-line cap lets anyone see, and whoever reads stock right after an order
 * moved it reads the new number.
 */
describe.each(testBackends())('order integrity (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: CatalogBuilders;
  let admin: SignedIn;
  /** Holds the first order reserved while it is set, as a slow catalog would, while a test looks at what others see. */
  let hold: { orderId?: string; released: Promise<void> } | null = null;
  const hooks: PlacementHooks = {
    afterReserve: async (orderId) => {
      if (hold && (hold.orderId ??= orderId) === orderId) await hold.released;
    },
  };

  beforeAll(async () => {
    // Event feeds read once at start, then not for ten minutes: only a mutation's own cache
    // report can purge what it changed.
    supergraph = await startTestSupergraph(backend, { hooks, cacheEventPollMs: 600_000 });
    build = catalogBuilders(supergraph.catalog.prisma);
    admin = await signedInUser(supergraph, 'ADMIN');
  });
  afterAll(() => supergraph?.stop());

  const addToCart = (caller: SignedIn, productId: string, quantity: number) =>
    supergraph.request({ query: AddToCart, variables: { productId, quantity }, headers: caller.headers });
  const checkout = (caller: SignedIn, idempotencyKey: string) =>
    supergraph.request<{ checkout: { id: string; items: Array<{ quantity: number }> } }>({
      query: Checkout,
      variables: { idempotencyKey },
      headers: caller.headers,
    });
  const ordersOf = (userId: string) => supergraph.orders.prisma.order.findMany({ where: { userId }, include: { items: true } });
  const cartLinesOf = (userId: string) => supergraph.orders.prisma.cartItem.findMany({ where: { cart: { userId } } });

  /** A refusal is a clear 4xx-class answer with a registry code, never a 5xx or an internal message. */
  function expectClearRefusal(response: GraphQLResponse, codes: readonly string[]) {
    expect(response.status).toBeLessThan(500);
    expect(errorCodes(response)).toHaveLength(1);
    expect(codes).toContain(errorCodes(response)[0]);
  }

  describe('finding 3: a cart checks out once', () => {
    it('10 parallel checkouts of one cart with different keys make one order and take the cart\'s units once', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 30 });
      await addToCart(shopper, product.id, 3);

      const keys = Array.from({ length: 10 }, () => randomUUID());
      const responses = await Promise.all(keys.map((key) => checkout(shopper, key)));

      const placed = responses.filter((response) => response.data?.checkout);
      expect(placed).toHaveLength(1);
      // The others found the cart claimed by the first, or already ordered and empty.
      for (const refused of responses.filter((response) => !response.data?.checkout)) {
        expectClearRefusal(refused, ['CHECKOUT_IN_PROGRESS', 'BAD_USER_INPUT']);
      }
      const orders = await ordersOf(shopper.userId);
      expect(orders.map((order) => [order.id, order.stockState, order.items.map((item) => item.quantity)])).toEqual([
        [placed[0]!.data!.checkout.id, 'RESERVED', [3]],
      ]);
      expect(await stockOf(supergraph, product.id)).toBe(27);
      expect(await supergraph.catalog.prisma.stockReservation.count({ where: { id: orders[0]!.id } })).toBe(1);
      expect(await cartLinesOf(shopper.userId)).toEqual([]);

      // The winner's key still returns its order; a loser's key finds the cart empty now.
      const winner = keys[responses.indexOf(placed[0]!)]!;
      expect((await checkout(shopper, winner)).data!.checkout.id).toBe(orders[0]!.id);
      const loser = keys.find((key) => key !== winner)!;
      expectClearRefusal(await checkout(shopper, loser), ['BAD_USER_INPUT']);
      expect(await stockOf(supergraph, product.id)).toBe(27);
      expect(await ordersOf(shopper.userId)).toHaveLength(1);
    });

    it('answers concurrent checkouts under one key with the same order', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 30 });
      await addToCart(shopper, product.id, 3);
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 5 }, () => checkout(shopper, key)));
      expect(responses.map(errorCodes)).toEqual(Array.from({ length: 5 }, () => []));
      expect(new Set(responses.map((response) => response.data!.checkout.id)).size).toBe(1);
      expect(await stockOf(supergraph, product.id)).toBe(27);
    });

    it('refuses a checkout while another of the same cart is reserving with CHECKOUT_IN_PROGRESS, and frees the cart when one is refused', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 30 });
      await addToCart(shopper, product.id, 2);

      let release = () => undefined as void;
      const held: NonNullable<typeof hold> = { released: new Promise<void>((resolve) => (release = resolve)) };
      hold = held;
      const first = checkout(shopper, randomUUID());
      try {
        const deadline = Date.now() + 10_000;
        while (!held.orderId && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await stockOf(supergraph, product.id)).toBe(28);
        expectClearRefusal(await checkout(shopper, randomUUID()), ['CHECKOUT_IN_PROGRESS']);
      } finally {
        hold = null;
        release();
      }
      expect((await first).data!.checkout.items.map((item) => item.quantity)).toEqual([2]);
      expect(await stockOf(supergraph, product.id)).toBe(28);

      // A checkout refused for stock leaves the cart as it was, claimed by nobody: the next one goes through.
      const scarce = await build.product({ stockQuantity: 1 });
      await addToCart(shopper, scarce.id, 2);
      expectClearRefusal(await checkout(shopper, randomUUID()), ['OUT_OF_STOCK']);
      await supergraph.catalog.prisma.product.update({ where: { id: scarce.id }, data: { stockQuantity: 2 } });
      expect((await checkout(shopper, randomUUID())).data!.checkout.items.map((item) => item.quantity)).toEqual([2]);
      expect(await stockOf(supergraph, scarce.id)).toBe(0);
    });
  });

  describe('finding 8a: stock a shopper may learn', () => {
    type Outcome = 'available' | 'unavailable' | string;

    /** The attack of the report: a binary search on a cart line's quantity, reading `available`. */
    async function probeStock(shopper: SignedIn, productId: string) {
      const transcript: Array<[number, Outcome]> = [];
      const messages: string[] = [];
      let known = 0;
      let refused = 1000;
      while (refused - known > 1) {
        const quantity = Math.floor((known + refused) / 2);
        const response = await supergraph.request<{ updateCartItem: { items: Array<{ available: boolean; product: { id: string } }> } }>({
          query: CartProbe,
          variables: { productId, quantity },
          headers: shopper.headers,
        });
        messages.push(...(response.errors ?? []).map((error) => error.message));
        const line = response.data?.updateCartItem.items.find((item) => item.product.id === productId);
        const outcome: Outcome = line ? (line.available ? 'available' : 'unavailable') : errorCodes(response).join();
        transcript.push([quantity, outcome]);
        if (outcome === 'available') known = quantity;
        else refused = quantity;
      }
      return { learned: known, transcript, messages };
    }

    it('a shopper cannot learn a product\'s exact stock by probing the cart', async () => {
      const [some, more] = await Promise.all([build.product({ stockQuantity: 137 }), build.product({ stockQuantity: 412 })]);
      const shopper = await signedInUser(supergraph);
      const ofSome = await probeStock(shopper, some.id);
      const ofMore = await probeStock(shopper, more.id);

      // Before the cap, each search pinned its product's stock in 10 probes.
      expect(ofSome.learned).not.toBe(137);
      expect(ofMore.learned).not.toBe(412);
      // Two products with different stock answer every probe alike: the probes tell them apart in nothing.
      expect(ofSome.transcript).toEqual(ofMore.transcript);
      expect(ofSome.learned).toBe(10);
      expect(ofSome.transcript.filter(([quantity]) => quantity > 10).every(([, outcome]) => outcome === 'BAD_USER_INPUT')).toBe(true);
      expect([...ofSome.messages, ...ofMore.messages].join(' ')).not.toMatch(/137|412/);

      // Ordering says no more than the cart does.
      for (const quantity of [137, 138, 412, 413]) {
        const answers = await Promise.all([some, more].map((product) => placeOrder(supergraph, shopper, [{ productId: product.id, quantity }])));
        expect(answers.map(errorCodes)).toEqual([['BAD_USER_INPUT'], ['BAD_USER_INPUT']]);
      }
      expect([await stockOf(supergraph, some.id), await stockOf(supergraph, more.id)]).toEqual([137, 412]);
    });
  });

  describe('finding 9: read-your-writes across subgraphs', () => {
    it('an admin reads the stock a placeOrder / cancelOrder moved right after it, not a cached older number', async () => {
      const product = await build.product({ stockQuantity: 10 });
      const shopper = await signedInUser(supergraph);
      const readStock = async () => {
        const response = await supergraph.request<{ product: { stockQuantity: number } }>({ query: AdminStock, variables: { id: product.id }, headers: admin.headers });
        return [response.data!.product.stockQuantity, response.headers.get('x-cache')];
      };
      expect(await readStock()).toEqual([10, 'MISS']);
      expect(await readStock()).toEqual([10, 'HIT']);

      const placed = await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 3 }]);
      expect(placed.errors).toBeUndefined();
      // The stock numbers travel to the gateway in the cache report, which never reaches the shopper.
      expect(JSON.stringify(placed)).not.toMatch(/stockQuantity|cacheReport/);
      expect(await readStock()).toEqual([7, 'MISS']);
      expect(await readStock()).toEqual([7, 'HIT']);

      const cancelled = await supergraph.request({ query: CancelOrder, variables: { id: placed.data!.placeOrder.id }, headers: shopper.headers });
      expect(cancelled.errors).toBeUndefined();
      expect(await readStock()).toEqual([10, 'MISS']);

      await addToCart(shopper, product.id, 4);
      expect(await readStock()).toEqual([10, 'HIT']);
      expect((await checkout(shopper, randomUUID())).errors).toBeUndefined();
      expect(await readStock()).toEqual([6, 'MISS']);
    });
  });
});
