import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, ledgerMismatches, type CatalogBuilders } from '@shop/catalog/testing';
import {
  contractOperation,
  errorCodes,
  placeOrder,
  placementLedger,
  signedInUser,
  startTestSupergraph,
  stockOf,
  testBackends,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

/**
 * Placing orders through the gateway: stock owned by catalog, orders by orders, and the
 * saga between them (docs/adr/0006). Concurrency, idempotency and bad input.
 */
const AdjustStock = contractOperation('admin', 'AdjustStock');

describe.each(testBackends())('placing orders (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: CatalogBuilders;
  let shopper: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = catalogBuilders(supergraph.catalog.prisma);
    [shopper, admin] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph, 'ADMIN')]);
  });
  afterAll(() => supergraph?.stop());

  const ordersOf = (userId: string) => supergraph.orders.prisma.order.count({ where: { userId } });

  it('keeps the unit prices of the time of the order and an exact total', async () => {
    const pen = await build.product({ price: '19.99', stockQuantity: 10 });
    const clip = await build.product({ price: '0.10', stockQuantity: 10 });
    const response = await placeOrder(supergraph, shopper, [
      { productId: pen.id, quantity: 3 },
      { productId: clip.id, quantity: 3 },
    ]);
    expect(response.errors).toBeUndefined();
    const order = response.data!.placeOrder;
    // 3 × 19.99 + 3 × 0.10: floats would give 60.269999…
    expect(order).toMatchObject({ status: 'PENDING', total: { amount: '60.27', currency: 'USD' } });
    expect(order.items.map((item) => [item.product.id, item.quantity, item.unitPrice.amount]).sort()).toEqual(
      [
        [pen.id, 3, '19.99'],
        [clip.id, 3, '0.10'],
      ].sort(),
    );
    expect([await stockOf(supergraph, pen.id), await stockOf(supergraph, clip.id)]).toEqual([7, 7]);

    await supergraph.catalog.prisma.product.update({ where: { id: pen.id }, data: { price: '25.00' } });
    const stored = await supergraph.orders.prisma.orderItem.findFirstOrThrow({ where: { orderId: order.id, productId: pen.id } });
    expect(stored.unitPrice.toFixed(2)).toBe('19.99');
  });

  it('sells a product with 10 in stock to exactly 10 of 50 shoppers ordering at once', async () => {
    const product = await build.product({ stockQuantity: 10 });
    const shoppers = await Promise.all(Array.from({ length: 50 }, () => signedInUser(supergraph)));
    const responses = await Promise.all(shoppers.map((caller) => placeOrder(supergraph, caller, [{ productId: product.id, quantity: 1 }])));

    const placed = responses.filter((response) => response.data?.placeOrder);
    expect(placed).toHaveLength(10);
    expect(responses.filter((response) => !response.data?.placeOrder).map(errorCodes)).toEqual(Array.from({ length: 40 }, () => ['OUT_OF_STOCK']));
    expect(await stockOf(supergraph, product.id)).toBe(0);

    const { orders, reservations } = await placementLedger(supergraph);
    const ordersOfProduct = orders.filter((order) => order.items.some((item) => item.productId === product.id));
    expect(ordersOfProduct).toHaveLength(10);
    expect(ordersOfProduct.every((order) => order.stockState === 'RESERVED' && order.status === 'PENDING')).toBe(true);
    expect(new Set(ordersOfProduct.map((order) => order.userId)).size).toBe(10);
    const reservationsOfOrders = reservations.filter((reservation) => ordersOfProduct.some((order) => order.id === reservation.id));
    expect(reservationsOfOrders.map((reservation) => reservation.status)).toEqual(Array.from({ length: 10 }, () => 'COMMITTED'));
  });

  it('never sells more than there is when orders take several units of several products', async () => {
    const [a, b] = await Promise.all([build.product({ stockQuantity: 7 }), build.product({ stockQuantity: 7 })]);
    const shoppers = await Promise.all(Array.from({ length: 12 }, () => signedInUser(supergraph)));
    // Lines in both orders, so that two orders lock the two products in opposite request orders.
    const responses = await Promise.all(
      shoppers.map((caller, index) =>
        placeOrder(
          supergraph,
          caller,
          index % 2 === 0
            ? [
                { productId: a.id, quantity: 2 },
                { productId: b.id, quantity: 1 },
              ]
            : [
                { productId: b.id, quantity: 2 },
                { productId: a.id, quantity: 1 },
              ],
        ),
      ),
    );
    const placed = responses.flatMap((response) => (response.data?.placeOrder ? [response.data.placeOrder] : []));
    const unitsOf = (productId: string) =>
      placed.flatMap((order) => order.items).filter((item) => item.product.id === productId).reduce((sum, item) => sum + item.quantity, 0);
    expect(responses.every((response) => response.data?.placeOrder || errorCodes(response)[0] === 'OUT_OF_STOCK')).toBe(true);
    expect(await stockOf(supergraph, a.id)).toBe(7 - unitsOf(a.id));
    expect(await stockOf(supergraph, b.id)).toBe(7 - unitsOf(b.id));
    expect(await stockOf(supergraph, a.id)).toBeGreaterThanOrEqual(0);
    expect(await stockOf(supergraph, b.id)).toBeGreaterThanOrEqual(0);
    expect(placed.length).toBeGreaterThan(0);
  });

  describe('idempotency', () => {
    it('makes one order of 20 concurrent requests with one key, and a replay returns it', async () => {
      const buyer = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 50 });
      const key = randomUUID();
      const lines = [{ productId: product.id, quantity: 2 }];
      const responses = await Promise.all(Array.from({ length: 20 }, () => placeOrder(supergraph, buyer, lines, key)));

      expect(responses.map(errorCodes)).toEqual(Array.from({ length: 20 }, () => []));
      const ids = new Set(responses.map((response) => response.data!.placeOrder.id));
      expect(ids.size).toBe(1);
      expect(await ordersOf(buyer.userId)).toBe(1);
      expect(await stockOf(supergraph, product.id)).toBe(48);
      expect(await supergraph.catalog.prisma.stockReservation.count({ where: { id: [...ids][0] } })).toBe(1);

      const replay = await placeOrder(supergraph, buyer, lines, key);
      expect(replay.data!.placeOrder).toEqual(responses[0]!.data!.placeOrder);
      expect(await stockOf(supergraph, product.id)).toBe(48);
    });

    it('refuses the same key with a different request, and changes nothing', async () => {
      const buyer = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 50 });
      const key = randomUUID();
      const first = await placeOrder(supergraph, buyer, [{ productId: product.id, quantity: 1 }], key);
      expect(first.errors).toBeUndefined();

      const changedQuantity = await placeOrder(supergraph, buyer, [{ productId: product.id, quantity: 3 }], key);
      const other = await build.product();
      const changedLines = await placeOrder(supergraph, buyer, [{ productId: other.id, quantity: 1 }], key);
      expect(errorCodes(changedQuantity)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(errorCodes(changedLines)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(await ordersOf(buyer.userId)).toBe(1);
      expect(await stockOf(supergraph, product.id)).toBe(49);
    });

    it('treats the same request with its lines in another order as the same request', async () => {
      const buyer = await signedInUser(supergraph);
      const [a, b] = await Promise.all([build.product(), build.product()]);
      const key = randomUUID();
      const first = await placeOrder(supergraph, buyer, [{ productId: a.id, quantity: 1 }, { productId: b.id, quantity: 1 }], key);
      const again = await placeOrder(supergraph, buyer, [{ productId: b.id, quantity: 1 }, { productId: a.id, quantity: 1 }], key);
      expect(again.data!.placeOrder.id).toBe(first.data!.placeOrder.id);
    });

    it('scopes keys to their user: another shopper may use the same key', async () => {
      const product = await build.product();
      const key = randomUUID();
      const [one, two] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph)]);
      const first = await placeOrder(supergraph, one, [{ productId: product.id, quantity: 1 }], key);
      const second = await placeOrder(supergraph, two, [{ productId: product.id, quantity: 1 }], key);
      expect(first.data!.placeOrder.id).not.toBe(second.data!.placeOrder.id);
    });

    it('lets a refused attempt be retried with the same key once stock is back', async () => {
      const buyer = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 0 });
      const key = randomUUID();
      const lines = [{ productId: product.id, quantity: 1 }];
      expect(errorCodes(await placeOrder(supergraph, buyer, lines, key))).toEqual(['OUT_OF_STOCK']);
      await build.stock(product.id, 1);
      expect((await placeOrder(supergraph, buyer, lines, key)).data!.placeOrder.status).toBe('PENDING');
    });
  });

  // Input the orders subgraph refuses on its own (quantities, ids, line counts, keys) is shown
  // in subgraphs/orders/test/subgraph.test.ts; here what takes the gateway or both subgraphs.
  describe('bad input: a clear error and nothing written', () => {
    async function expectNothingWritten(run: () => Promise<unknown>) {
      const snapshot = async () => ({
        orders: await supergraph.orders.prisma.order.count(),
        items: await supergraph.orders.prisma.orderItem.count(),
        reservations: await supergraph.catalog.prisma.stockReservation.count(),
        stock: (await supergraph.catalog.prisma.product.aggregate({ _sum: { stockQuantity: true } }))._sum.stockQuantity,
        movements: await supergraph.catalog.prisma.stockMovement.count(),
        outbox: [await supergraph.orders.prisma.outboxEvent.count(), await supergraph.catalog.prisma.outboxEvent.count()],
      });
      const before = await snapshot();
      await run();
      expect(await snapshot()).toEqual(before);
    }

    it('refuses a quantity beyond GraphQL Int (10^10) before any resolver runs', async () => {
      const product = await build.product();
      await expectNothingWritten(async () => {
        const response = await placeOrder(supergraph, shopper, [{ productId: product.id, quantity: 10_000_000_000 }]);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      });
    });

    it('refuses an unknown product with NOT_FOUND', async () => {
      const product = await build.product();
      await expectNothingWritten(async () => {
        const response = await placeOrder(supergraph, shopper, [
          { productId: product.id, quantity: 1 },
          { productId: randomUUID(), quantity: 1 },
        ]);
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      });
    });

    it('refuses an inactive product with PRODUCT_UNAVAILABLE and a deleted one with NOT_FOUND', async () => {
      const inactive = await build.product({ isActive: false });
      const deleted = await build.product({ deletedAt: new Date() });
      const fine = await build.product();
      await expectNothingWritten(async () => {
        for (const product of [inactive, deleted]) {
          const response = await placeOrder(supergraph, shopper, [
            { productId: fine.id, quantity: 1 },
            { productId: product.id, quantity: 1 },
          ]);
          expect(errorCodes(response)).toEqual([product === deleted ? 'NOT_FOUND' : 'PRODUCT_UNAVAILABLE']);
        }
      });
    });

    it('refuses a 1,000-line order at the gateway: its variables alone are past its bound, no subgraph sees it', async () => {
      await expectNothingWritten(async () => {
        const lines = Array.from({ length: 1_000 }, () => ({ productId: randomUUID(), quantity: 1 }));
        expect(errorCodes(await placeOrder(supergraph, shopper, lines))).toEqual(['VARIABLES_TOO_LARGE']);
      });
    });

    it('refuses more than the stock with OUT_OF_STOCK, naming the product', async () => {
      const plenty = await build.product({ stockQuantity: 100 });
      const scarce = await build.product({ stockQuantity: 2 });
      await expectNothingWritten(async () => {
        const response = await placeOrder(supergraph, shopper, [
          { productId: plenty.id, quantity: 5 },
          { productId: scarce.id, quantity: 3 },
        ]);
        expect(errorCodes(response)).toEqual(['OUT_OF_STOCK']);
        expect(response.errors![0]!.extensions!.productId).toBe(scarce.id);
      });
    });

    it('refuses products priced in different currencies with MIXED_CURRENCIES', async () => {
      const dollars = await build.product({ currency: 'USD' });
      const euros = await build.product({ currency: 'EUR' });
      await expectNothingWritten(async () => {
        const response = await placeOrder(supergraph, shopper, [
          { productId: dollars.id, quantity: 1 },
          { productId: euros.id, quantity: 1 },
        ]);
        expect(errorCodes(response)).toEqual(['MIXED_CURRENCIES']);
      });
    });

    it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
      const product = await build.product();
      await expectNothingWritten(async () => {
        expect(errorCodes(await placeOrder(supergraph, { headers: {} }, [{ productId: product.id, quantity: 1 }]))).toEqual(['UNAUTHENTICATED']);
      });
    });
  });

  // The stock ledger (docs/adr/0033): these run last, after every concurrent order above.
  describe('the stock ledger', () => {
    it('keeps the ledger equal to the stock while admins adjust it and shoppers order at once, never going below zero', async () => {
      const product = await build.product({ stockQuantity: 20 });
      const shoppers = await Promise.all(Array.from({ length: 24 }, () => signedInUser(supergraph)));
      const adjust = (delta: number, reason: 'RESTOCK' | 'CORRECTION') =>
        supergraph.request<{ adjustStock: { product: { stockQuantity: number } } }>({
          query: AdjustStock,
          variables: { input: { productId: product.id, delta, reason } },
          headers: admin.headers,
        });
      const [orders, adjustments] = await Promise.all([
        Promise.all(shoppers.map((caller) => placeOrder(supergraph, caller, [{ productId: product.id, quantity: 1 }]))),
        Promise.all(Array.from({ length: 16 }, (_, index) => (index % 2 === 0 ? adjust(1, 'RESTOCK') : adjust(-4, 'CORRECTION')))),
      ]);

      expect(orders.filter((response) => !response.data?.placeOrder).map(errorCodes).every(([code]) => code === 'OUT_OF_STOCK')).toBe(true);
      const refused = adjustments.filter((response) => !response.data?.adjustStock);
      expect(refused.map((response) => [response.status, errorCodes(response)]).every(([status, codes]) => status === 409 && `${codes}` === 'STOCK_BELOW_ZERO')).toBe(true);
      const sold = orders.filter((response) => response.data?.placeOrder).length;
      const corrected = adjustments.filter((response, index) => index % 2 === 1 && response.data?.adjustStock).length;
      expect(await stockOf(supergraph, product.id)).toBe(20 - sold + 8 - 4 * corrected);

      // In commit order, each movement starts from the stock the one before left.
      const movements = await supergraph.catalog.prisma.stockMovement.findMany({ where: { productId: product.id }, orderBy: { id: 'asc' } });
      movements.reduce((stock, movement) => {
        expect([movement.stockAfter, movement.stockAfter >= 0]).toEqual([stock + movement.delta, true]);
        return movement.stockAfter;
      }, 0);
      expect(movements.filter((movement) => movement.reason === 'ORDER_RESERVATION')).toHaveLength(sold);
      expect(movements.filter((movement) => movement.actorKind === 'USER').every((movement) => movement.actorId === admin.userId)).toBe(true);
    });

    it('holds every product\'s stock equal to the sum of its movements after all the orders of this file', async () => {
      expect(await ledgerMismatches(supergraph.catalog.prisma)).toEqual([]);
      expect(await supergraph.catalog.prisma.stockMovement.count()).toBeGreaterThan(0);
    });
  });
});
