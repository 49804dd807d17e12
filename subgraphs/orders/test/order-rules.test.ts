import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@shop/errors';
import { personViewer } from '@shop/testing/subgraph';
import type { OrderStatus } from '../src/generated/prisma/client.js';
import { addToCart, cartOf, lineTotal, removeFromCart, subtotal, updateCartItem } from '../src/services/cart.js';
import { cancelOrder, placeOrder, updateOrderStatus } from '../src/services/orders.js';
import { startOrdersService, type OrdersService } from './service-kit.js';

/** The orders service's own rules: money, the cart, the status life cycle, the line cap. Catalog is an in-memory fake. */
describe('order rules (service)', () => {
  let service: OrdersService;
  const admin = personViewer('ADMIN');

  beforeAll(async () => {
    service = await startOrdersService();
  });
  afterAll(() => service?.stop());

  // Async, so input refused before any await still arrives as a rejection.
  const place = async (viewer: ReturnType<typeof personViewer>, items: Array<{ productId: string; quantity: number }>) =>
    placeOrder(service.contextFor(viewer), { items, idempotencyKey: randomUUID() });
  const newOrder = async () => {
    const buyer = personViewer();
    return { buyer, order: await place(buyer, [{ productId: service.catalog.product({ stockQuantity: 10 }).id, quantity: 1 }]) };
  };
  const moveTo = (id: string, status: OrderStatus) => updateOrderStatus(service.contextFor(admin), id, status);

  describe('money', () => {
    it('totals lines exactly, to the cent, in the currency catalog priced them in', async () => {
      const buyer = personViewer();
      const products = ['0.10', '0.20', '1199.99'].map((price) => service.catalog.product({ price, currency: 'EUR' }));
      const order = await place(buyer, products.map((product) => ({ productId: product.id, quantity: 3 })));
      // 0.30 + 0.60 + 3599.97, with no float drift.
      expect([order.total.toString(), order.currency]).toEqual(['3600.87', 'EUR']);
    });

    it('refuses an order mixing currencies with MIXED_CURRENCIES', async () => {
      const lines = ['USD', 'EUR'].map((currency) => ({ productId: service.catalog.product({ currency }).id, quantity: 1 }));
      await expect(place(personViewer(), lines)).rejects.toMatchObject({ code: ErrorCode.MIXED_CURRENCIES });
    });

    it('gives a cart the subtotal of the lines that can be ordered now, at current prices', async () => {
      const buyer = personViewer();
      const ctx = service.contextFor(buyer);
      const cheap = service.catalog.product({ price: '2.50', stockQuantity: 10 });
      const scarce = service.catalog.product({ price: '100.00', stockQuantity: 10 });
      await addToCart(ctx, cheap.id, 3);
      await addToCart(ctx, scarce.id, 2);
      // Others bought all but one of the scarce units: its line of two drops out of the subtotal.
      await service.catalog.client.reserve({ reservationId: randomUUID(), lines: [{ productId: scarce.id, quantity: 9 }] });

      const cart = await cartOf(service.contextFor(buyer), buyer.userId, false);
      expect(await subtotal(service.contextFor(buyer), cart)).toEqual({ amount: '7.50', currency: 'USD' });
      // Read with its prices, the cart answers the same, at once.
      const pricedCtx = service.contextFor(buyer);
      const priced = await cartOf(pricedCtx, buyer.userId, true);
      expect(subtotal(pricedCtx, priced)).toEqual({ amount: '7.50', currency: 'USD' });
      expect(priced.items.map((item) => lineTotal(pricedCtx, item))).toEqual([
        { amount: '7.50', currency: 'USD' },
        { amount: '200.00', currency: 'USD' },
      ]);
    });

    it('prices the carts of requests in flight together with one catalog lookup, each cart at its own lines', async () => {
      const shoppers = [personViewer(), personViewer()];
      const prices = ['3.00', '4.25'];
      for (const [index, shopper] of shoppers.entries()) await addToCart(service.contextFor(shopper), service.catalog.product({ price: prices[index] }).id, 2);
      const lookupsBefore = service.catalog.calls.filter((call) => call === 'lookup').length;

      const contexts = shoppers.map((shopper) => service.contextFor(shopper));
      const carts = await Promise.all(shoppers.map((shopper, index) => cartOf(contexts[index]!, shopper.userId, false)));
      // Each request's loader asks in the same turn, as requests whose carts arrived together do.
      await Promise.all(carts.map((cart, index) => contexts[index]!.loaders.productSnapshot.loadMany(cart.items.map((item) => item.productId))));

      expect(service.catalog.calls.filter((call) => call === 'lookup').length - lookupsBefore).toBe(1);
      // Each request now holds its own cart's prices: the subtotals answer at once.
      expect(carts.map((cart, index) => subtotal(contexts[index]!, cart))).toEqual([
        { amount: '6.00', currency: 'USD' },
        { amount: '8.50', currency: 'USD' },
      ]);
    });

    it('has no subtotal for a cart mixing currencies', async () => {
      const buyer = personViewer();
      const ctx = service.contextFor(buyer);
      await addToCart(ctx, service.catalog.product({ currency: 'USD' }).id, 1);
      await addToCart(ctx, service.catalog.product({ currency: 'EUR' }).id, 1);
      expect(await subtotal(service.contextFor(buyer), await cartOf(ctx, buyer.userId, true))).toBeNull();
    });
  });

  describe('cart', () => {
    /** A cart as the client reads it: each line's units, product and total, and the subtotal. */
    const view = async (viewer: ReturnType<typeof personViewer>, cart: Awaited<ReturnType<typeof cartOf>>) => ({
      items: await Promise.all(
        cart.items.map(async (item) => ({ quantity: item.quantity, productId: item.productId, lineTotal: await lineTotal(service.contextFor(viewer), item) })),
      ),
      subtotal: await subtotal(service.contextFor(viewer), cart),
    });

    it('adds, adds again, changes and removes lines, with exact line totals and subtotal', async () => {
      const buyer = personViewer();
      const change = () => service.contextFor(buyer);
      const [cheap, dear] = [service.catalog.product({ price: '0.10' }), service.catalog.product({ price: '1199.99' })];

      expect((await addToCart(change(), cheap.id, 2)).items).toHaveLength(1);
      const added = await view(buyer, await addToCart(change(), cheap.id, 1));
      expect(added.items).toEqual([{ quantity: 3, productId: cheap.id, lineTotal: { amount: '0.30', currency: 'USD' } }]);
      expect((await view(buyer, await addToCart(change(), dear.id, 1))).subtotal).toEqual({ amount: '1200.29', currency: 'USD' });

      expect((await view(buyer, await updateCartItem(change(), dear.id, 2))).subtotal).toEqual({ amount: '2400.28', currency: 'USD' });
      const zeroed = await updateCartItem(change(), cheap.id, 0);
      expect(zeroed.items.map((item) => item.productId)).toEqual([dear.id]);
      expect(await view(buyer, await removeFromCart(change(), dear.id))).toEqual({ items: [], subtotal: null });
      // Removing what is not there leaves the cart as asked.
      expect((await removeFromCart(change(), dear.id)).items).toEqual([]);
    });

    it('sets a line that is not in the cart yet, and sets it again to the same value on a retry', async () => {
      const buyer = personViewer();
      const product = service.catalog.product();
      await updateCartItem(service.contextFor(buyer), product.id, 4);
      const again = await updateCartItem(service.contextFor(buyer), product.id, 4);
      expect(again.items.map((item) => ({ quantity: item.quantity, productId: item.productId }))).toEqual([{ quantity: 4, productId: product.id }]);
    });
  });

  describe('status life cycle', () => {
    it('moves PENDING → PAID → SHIPPED → DELIVERED, one event per move', async () => {
      const { order } = await newOrder();
      for (const status of ['PAID', 'SHIPPED', 'DELIVERED'] as const) expect((await moveTo(order.id, status)).status).toBe(status);
      const events = await service.prisma.outboxEvent.findMany({ where: { aggregateId: order.id }, orderBy: { id: 'asc' } });
      expect(events.map((event) => event.topic)).toEqual(['order.placed', 'order.status_changed', 'order.status_changed', 'order.status_changed']);
    });

    it.each([
      ['PENDING', 'SHIPPED'],
      ['PENDING', 'DELIVERED'],
      ['PAID', 'PENDING'],
      ['SHIPPED', 'CANCELLED'],
      ['DELIVERED', 'PAID'],
    ] as const)('refuses %s → %s with INVALID_STATUS_TRANSITION, leaving the order as it was', async (from, to) => {
      const { order } = await newOrder();
      const pathTo: Record<typeof from, OrderStatus[]> = { PENDING: [], PAID: ['PAID'], SHIPPED: ['PAID', 'SHIPPED'], DELIVERED: ['PAID', 'SHIPPED', 'DELIVERED'] };
      const path = pathTo[from];
      for (const status of path) await moveTo(order.id, status);

      await expect(moveTo(order.id, to)).rejects.toMatchObject({ code: ErrorCode.INVALID_STATUS_TRANSITION, extensions: { from, to } });
      expect((await service.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe(from);
    });

    it('lets the owner cancel a PENDING order, returning its stock once', async () => {
      const buyer = personViewer();
      const product = service.catalog.product({ stockQuantity: 10 });
      const order = await place(buyer, [{ productId: product.id, quantity: 4 }]);
      expect(service.catalog.stockOf(product.id)).toBe(6);

      const cancelled = await cancelOrder(service.contextFor(buyer), order.id);

      expect([cancelled.status, cancelled.stockState]).toEqual(['CANCELLED', 'RELEASED']);
      expect(service.catalog.stockOf(product.id)).toBe(10);
      await expect(cancelOrder(service.contextFor(buyer), order.id)).rejects.toMatchObject({ code: ErrorCode.INVALID_STATUS_TRANSITION });
      expect(service.catalog.stockOf(product.id)).toBe(10);
    });

    it('does not let the owner cancel a PAID order, nor anyone else cancel it at all', async () => {
      const { buyer, order } = await newOrder();
      await expect(cancelOrder(service.contextFor(personViewer()), order.id)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
      await moveTo(order.id, 'PAID');
      await expect(cancelOrder(service.contextFor(buyer), order.id)).rejects.toMatchObject({ code: ErrorCode.INVALID_STATUS_TRANSITION });
    });
  });

  describe('the 10-unit line cap', () => {
    it('accepts 10 units of a product in an order and refuses 11 before anything is asked of catalog', async () => {
      const product = service.catalog.product({ stockQuantity: 100 });
      expect((await place(personViewer(), [{ productId: product.id, quantity: 10 }])).status).toBe('PENDING');
      const calls = service.catalog.calls.length;

      await expect(place(personViewer(), [{ productId: product.id, quantity: 11 }])).rejects.toMatchObject({
        code: ErrorCode.BAD_USER_INPUT,
        extensions: { field: 'input.items[0].quantity' },
      });
      expect(service.catalog.calls.length).toBe(calls);
    });

    it('keeps a cart line at 10 units however they are added', async () => {
      const buyer = personViewer();
      const ctx = service.contextFor(buyer);
      const product = service.catalog.product({ stockQuantity: 100 });
      await addToCart(ctx, product.id, 6);

      await expect(addToCart(service.contextFor(buyer), product.id, 5)).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
      await expect(updateCartItem(service.contextFor(buyer), product.id, 11)).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
      const cart = await addToCart(service.contextFor(buyer), product.id, 4);
      expect(cart.items.map((item) => item.quantity)).toEqual([10]);
    });
  });
});
