import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import type { PlacementHooks } from '@shop/orders';
import { orderBuilders } from '@shop/orders/testing';
import {
  contractOperation,
  errorCodes,
  placeOrder,
  placementLedger,
  signedInUser,
  startTestSupergraph,
  stockOf,
  testBackends,
  type TestSupergraph,
  type TestSupergraphOptions,
} from '../src/index.js';

const CancelOrder = contractOperation('frontend', 'CancelOrder');
const Checkout = contractOperation('frontend', 'Checkout');

/**
 * Crashes between the steps of placing and cancelling orders (docs/adr/0006): either
 * subgraph is stopped mid-way, as a killed process would be, then started again. Whatever
 * the interleaving, the two databases must converge: stock never below zero, no order
 * confirmed without committed stock, no stock held for an order that does not exist or
 * was cancelled. Real PostgreSQL only: the data must outlive the process.
 */
const backends = testBackends().filter((backend) => backend === 'postgres');
const recovery = { intervalMs: 200, staleAfterMs: 500 };

/** Test-controlled probes between the saga's steps; each test sets the one it needs. */
function probes() {
  const current: PlacementHooks = {};
  const hooks: PlacementHooks = {
    afterReserve: async (orderId) => current.afterReserve?.(orderId),
    afterCommit: async (orderId) => current.afterCommit?.(orderId),
  };
  return { current, hooks };
}

/** Waits until nothing is half-way, then checks that orders and stock agree for one product. */
async function expectConverged(supergraph: TestSupergraph, productId: string, initialStock: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { orders, reservations } = await placementLedger(supergraph);
    const unsettled =
      orders.some((order) => order.stockState === 'RESERVING' || order.stockState === 'RELEASING') ||
      reservations.some((reservation) => reservation.status === 'RESERVED');
    if (!unsettled || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { orders, reservations } = await placementLedger(supergraph);
  const ordersOfProduct = orders.filter((order) => order.items.some((item) => item.productId === productId));
  const reservationOf = (orderId: string) => reservations.find((reservation) => reservation.id === orderId);

  expect(ordersOfProduct.map((order) => order.stockState).filter((state) => state === 'RESERVING' || state === 'RELEASING')).toEqual([]);
  for (const order of ordersOfProduct) {
    // Confirmed orders hold committed stock; cancelled ones hold none.
    expect([order.id, order.stockState, reservationOf(order.id)?.status]).toEqual([
      order.id,
      order.stockState,
      order.stockState === 'RESERVED' ? 'COMMITTED' : 'RELEASED',
    ]);
  }
  const orderIds = new Set(orders.map((order) => order.id));
  const held = reservations.filter((reservation) => reservation.status !== 'RELEASED');
  expect(held.filter((reservation) => !orderIds.has(reservation.id)).map((reservation) => reservation.id)).toEqual([]);

  const sold = ordersOfProduct
    .filter((order) => order.stockState === 'RESERVED')
    .flatMap((order) => order.items)
    .filter((item) => item.productId === productId)
    .reduce((sum, item) => sum + item.quantity, 0);
  const stock = await stockOf(supergraph, productId);
  expect(stock).toBeGreaterThanOrEqual(0);
  expect(stock).toBe(initialStock - sold);
  return { ordersOfProduct, stock };
}

describe.each(backends)('placing orders through crashes (%s)', (backend) => {
  let supergraph: TestSupergraph;
  const { current, hooks } = probes();

  async function start(options: TestSupergraphOptions = {}) {
    supergraph = await startTestSupergraph(backend, { recovery, hooks, ...options });
  }

  describe('with stock held for a minute', () => {
    beforeAll(() => start());
    afterAll(() => supergraph?.stop());

    it('finishes an order when catalog crashed after reserving its stock, and a retry returns it', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      current.afterReserve = () => supergraph.crash('catalog');
      const key = randomUUID();
      const lines = [{ productId: product.id, quantity: 2 }];
      try {
        expect(errorCodes(await placeOrder(supergraph, shopper, lines, key))).toEqual(['SERVICE_UNAVAILABLE']);
      } finally {
        current.afterReserve = undefined;
      }
      await supergraph.restart('catalog');

      const { ordersOfProduct, stock } = await expectConverged(supergraph, product.id, 5);
      expect(ordersOfProduct).toHaveLength(1);
      expect(stock).toBe(3);
      const retry = await placeOrder(supergraph, shopper, lines, key);
      expect(retry.data!.placeOrder.id).toBe(ordersOfProduct[0]!.id);
      expect(await stockOf(supergraph, product.id)).toBe(3);
    });

    it('places nothing while catalog is down, then converges once it is back', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      await supergraph.crash('catalog');
      try {
        const response = await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 1 }]);
        expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(await supergraph.orders.prisma.order.count({ where: { userId: shopper.userId, stockState: { not: 'RESERVING' } } })).toBe(0);
      } finally {
        await supergraph.restart('catalog');
      }
      // The request stayed recorded, so recovery places it: the client's retry with its key returns it.
      await expectConverged(supergraph, product.id, 5);
    });

    it('finishes an order when orders crashed after the stock was reserved', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      // The process dies with the request in flight: the probe never returns.
      current.afterReserve = () => supergraph.crash('orders').then(() => new Promise<void>(() => undefined));
      try {
        const response = await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 1 }]);
        expect(response.data?.placeOrder ?? null).toBeNull();
        // The gateway lost orders itself mid-request (not an answer of orders'): retrying with the key is safe.
        expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      } finally {
        current.afterReserve = undefined;
      }
      await supergraph.restart('orders');
      const { ordersOfProduct, stock } = await expectConverged(supergraph, product.id, 5);
      expect(ordersOfProduct.map((order) => order.stockState)).toEqual(['RESERVED']);
      expect(stock).toBe(4);
    });

    it('confirms an order when orders crashed after catalog committed its stock', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      current.afterCommit = () => supergraph.crash('orders').then(() => new Promise<void>(() => undefined));
      const key = randomUUID();
      try {
        await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 3 }], key);
      } finally {
        current.afterCommit = undefined;
      }
      await supergraph.restart('orders');
      const { ordersOfProduct } = await expectConverged(supergraph, product.id, 5);
      expect(ordersOfProduct.map((order) => [order.idempotencyKey, order.status])).toEqual([[key, 'PENDING']]);
    });

    it('confirms a checkout when orders crashed after reserving its stock, and frees the cart it claimed', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      await orderBuilders(supergraph.orders.prisma).cartLine(shopper.userId, product.id, 2);
      current.afterReserve = () => supergraph.crash('orders').then(() => new Promise<void>(() => undefined));
      try {
        await supergraph.request({ query: Checkout, variables: { idempotencyKey: randomUUID() }, headers: shopper.headers });
      } finally {
        current.afterReserve = undefined;
      }
      await supergraph.restart('orders');
      const { ordersOfProduct, stock } = await expectConverged(supergraph, product.id, 5);
      expect(ordersOfProduct.map((order) => order.stockState)).toEqual(['RESERVED']);
      expect(stock).toBe(3);
      const cart = await supergraph.orders.prisma.cart.findUniqueOrThrow({ where: { userId: shopper.userId }, include: { items: true } });
      expect([cart.checkoutOrderId, cart.items]).toEqual([null, []]);
    });

    it('returns a cancelled order\'s stock once catalog is back', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      const placed = await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 2 }]);
      const orderId = placed.data!.placeOrder.id;
      await supergraph.crash('catalog');
      try {
        const cancelled = await supergraph.request<{ cancelOrder: { status: string } }>({ query: CancelOrder, variables: { id: orderId }, headers: shopper.headers });
        expect(cancelled.data!.cancelOrder.status).toBe('CANCELLED');
      } finally {
        await supergraph.restart('catalog');
      }
      const { stock } = await expectConverged(supergraph, product.id, 5);
      expect(stock).toBe(5);
    });

    it('keeps orders and stock in agreement through concurrent orders, cancellations and a catalog crash', async () => {
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 20 });
      const shoppers = await Promise.all(Array.from({ length: 12 }, () => signedInUser(supergraph)));
      let crashed = false;
      current.afterReserve = async () => {
        if (crashed) return;
        crashed = true;
        await supergraph.crash('catalog');
      };
      const work = shoppers.map(async (shopper, index) => {
        const response = await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 2 }]);
        const id = response.data?.placeOrder?.id;
        if (id && index % 3 === 0) await supergraph.request({ query: CancelOrder, variables: { id }, headers: shopper.headers });
      });
      try {
        await Promise.all(work);
      } finally {
        current.afterReserve = undefined;
      }
      await supergraph.restart('catalog');
      await expectConverged(supergraph, product.id, 20);
    });
  });

  describe('with stock held for a second', () => {
    beforeAll(() => start({ reservationTtlMs: 1_000 }));
    afterAll(() => supergraph?.stop());

    it('undoes an order whose stock expired while orders was down, and puts the stock back on sale', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      current.afterReserve = () => supergraph.crash('orders').then(() => new Promise<void>(() => undefined));
      try {
        await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 4 }]);
      } finally {
        current.afterReserve = undefined;
      }
      const deadline = Date.now() + 10_000;
      while ((await stockOf(supergraph, product.id)) !== 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await stockOf(supergraph, product.id)).toBe(5);

      await supergraph.restart('orders');
      const { ordersOfProduct } = await expectConverged(supergraph, product.id, 5);
      expect(ordersOfProduct).toEqual([]);
    });

    it('undoes a checkout whose stock expired while orders was down, and leaves the cart whole and free for the next', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 5 });
      await orderBuilders(supergraph.orders.prisma).cartLine(shopper.userId, product.id, 4);
      current.afterReserve = () => supergraph.crash('orders').then(() => new Promise<void>(() => undefined));
      try {
        await supergraph.request({ query: Checkout, variables: { idempotencyKey: randomUUID() }, headers: shopper.headers });
      } finally {
        current.afterReserve = undefined;
      }
      const deadline = Date.now() + 10_000;
      while ((await stockOf(supergraph, product.id)) !== 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await supergraph.restart('orders');
      expect((await expectConverged(supergraph, product.id, 5)).ordersOfProduct).toEqual([]);
      const cart = await supergraph.orders.prisma.cart.findUniqueOrThrow({ where: { userId: shopper.userId }, include: { items: true } });
      expect([cart.checkoutOrderId, cart.items.map((item) => item.quantity)]).toEqual([null, [4]]);

      const next = await supergraph.request<{ checkout: { id: string } }>({ query: Checkout, variables: { idempotencyKey: randomUUID() }, headers: shopper.headers });
      expect(next.errors).toBeUndefined();
      expect(await stockOf(supergraph, product.id)).toBe(1);
    });
  });
});
