import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, type CatalogBuilders } from '@shop/catalog/testing';
import { userBuilders } from '@shop/users/testing';
import {
  contractOperation,
  errorCodes,
  placeOrder,
  readEventFeed,
  signedInUser,
  startMailbox,
  startTestSupergraph,
  stockOf,
  testBackends,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

const AddToCart = contractOperation('frontend', 'AddToCart');
const UpdateCartItem = contractOperation('frontend', 'UpdateCartItem');
const Checkout = contractOperation('frontend', 'Checkout');
const OrderQuery = contractOperation('frontend', 'Order');
const CancelOrder = contractOperation('frontend', 'CancelOrder');
const Me = contractOperation('frontend', 'Me');
const AllOrders = contractOperation('admin', 'AllOrders');
const UpdateOrderStatus = contractOperation('admin', 'UpdateOrderStatus');
const PlaceOrderWithAddress = contractOperation('frontend', 'PlaceOrderWithAddress');
const CheckoutWithAddress = contractOperation('frontend', 'CheckoutWithAddress');
const UpdateAddress = contractOperation('frontend', 'UpdateAddress');
const MyOrders = contractOperation('frontend', 'MyOrders');
const CartFlags = `query CartFlags { me { cart { items { quantity available product { id } lineTotal { amount currency } } subtotal { amount currency } } } }`;

type Money = { amount: string; currency: string };
interface CartView {
  items: Array<{ quantity: number; product: { id: string }; lineTotal: Money | null; available?: boolean }>;
  subtotal: Money | null;
}

describe.each(testBackends())('cart and orders through the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: CatalogBuilders;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = catalogBuilders(supergraph.catalog.prisma);
    admin = await signedInUser(supergraph, 'ADMIN');
  });
  afterAll(() => supergraph?.stop());

  const addToCart = (caller: SignedIn, productId: string, quantity: number) =>
    supergraph.request<{ addToCart: CartView }>({ query: AddToCart, variables: { productId, quantity }, headers: caller.headers });
  const updateCartItem = (caller: SignedIn, productId: string, quantity: number) =>
    supergraph.request<{ updateCartItem: CartView }>({ query: UpdateCartItem, variables: { productId, quantity }, headers: caller.headers });
  const cartOf = async (caller: SignedIn) =>
    (await supergraph.request<{ me: { cart: CartView } }>({ query: CartFlags, headers: caller.headers })).data!.me.cart;
  const checkout = (caller: SignedIn, idempotencyKey: string = randomUUID()) =>
    supergraph.request<{ checkout: { id: string; status: string; total: Money; items: Array<{ quantity: number; unitPrice: Money; product: { id: string } }> } }>({
      query: Checkout,
      variables: { idempotencyKey },
      headers: caller.headers,
    });
  const cancel = (caller: SignedIn, id: string) =>
    supergraph.request<{ cancelOrder: { id: string; status: string } }>({ query: CancelOrder, variables: { id }, headers: caller.headers });
  const setStatus = (id: string, status: string) =>
    supergraph.request<{ updateOrderStatus: { id: string; status: string } }>({ query: UpdateOrderStatus, variables: { id, status }, headers: admin.headers });
  const placed = async (caller: SignedIn, lines: Array<{ productId: string; quantity: number }>) => {
    const response = await placeOrder(supergraph, caller, lines);
    if (!response.data?.placeOrder) throw new Error(JSON.stringify(response.errors));
    return response.data.placeOrder;
  };

  // The cart's own rules (adding, setting, removing, totals, quantities) are shown in the orders
  // subgraph's service and subgraph tests; here what takes catalog's data and the gateway.
  describe('cart', () => {
    it('shows current prices and flags lines that can no longer be ordered', async () => {
      const shopper = await signedInUser(supergraph);
      const [repriced, retired, scarce] = await Promise.all([
        build.product({ price: '5.00' }),
        build.product({ price: '7.00' }),
        build.product({ price: '3.00', stockQuantity: 5 }),
      ]);
      for (const product of [repriced, retired, scarce]) await addToCart(shopper, product.id, 2);

      await supergraph.catalog.prisma.product.update({ where: { id: repriced.id }, data: { price: '6.50' } });
      await supergraph.catalog.prisma.product.update({ where: { id: retired.id }, data: { isActive: false } });
      await supergraph.catalog.prisma.product.update({ where: { id: scarce.id }, data: { stockQuantity: 1 } });

      const cart = await cartOf(shopper);
      const line = (id: string) => cart.items.find((item) => item.product.id === id)!;
      expect(line(repriced.id)).toMatchObject({ available: true, lineTotal: { amount: '13.00' } });
      expect(line(retired.id).available).toBe(false);
      expect(line(scarce.id).available).toBe(false);
      expect(cart.subtotal).toEqual({ amount: '13.00', currency: 'USD' });
    });

    it('refuses unknown, inactive and malformed products', async () => {
      const shopper = await signedInUser(supergraph);
      const inactive = await build.product({ isActive: false });
      for (const change of [addToCart, updateCartItem]) {
        expect(errorCodes(await change(shopper, randomUUID(), 1))).toEqual(['NOT_FOUND']);
        expect(errorCodes(await change(shopper, inactive.id, 1))).toEqual(['PRODUCT_UNAVAILABLE']);
        expect(errorCodes(await change(shopper, 'nope', 1))).toEqual(['BAD_USER_INPUT']);
      }
      expect(await cartOf(shopper)).toEqual({ items: [], subtotal: null });
    });

    it('keeps each cart to its owner', async () => {
      const [one, two] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph)]);
      const product = await build.product();
      await addToCart(one, product.id, 1);
      expect((await cartOf(two)).items).toEqual([]);
      const other = await supergraph.request<{ user: { cart: CartView } | null }>({
        query: 'query OtherCart($id: ID!) { user(id: $id) { id cart { items { quantity } } } }',
        variables: { id: one.userId },
        headers: two.headers,
      });
      expect(other.data?.user ?? null).toBeNull();
    });
  });

  describe('checkout', () => {
    it('orders the cart at the current prices, empties it, takes the stock, and replays by key', async () => {
      const shopper = await signedInUser(supergraph);
      const [a, b] = await Promise.all([build.product({ price: '2.50', stockQuantity: 4 }), build.product({ price: '10.00', stockQuantity: 4 })]);
      await addToCart(shopper, a.id, 3);
      await addToCart(shopper, b.id, 1);
      await supergraph.catalog.prisma.product.update({ where: { id: a.id }, data: { price: '2.75' } });

      const key = randomUUID();
      const response = await checkout(shopper, key);
      expect(response.errors).toBeUndefined();
      const order = response.data!.checkout;
      expect(order).toMatchObject({ status: 'PENDING', total: { amount: '18.25', currency: 'USD' } });
      expect(order.items.find((item) => item.product.id === a.id)).toMatchObject({ quantity: 3, unitPrice: { amount: '2.75' } });
      expect(await cartOf(shopper)).toEqual({ items: [], subtotal: null });
      expect([await stockOf(supergraph, a.id), await stockOf(supergraph, b.id)]).toEqual([1, 3]);

      const replay = await checkout(shopper, key);
      expect(replay.data!.checkout.id).toBe(order.id);
      expect([await stockOf(supergraph, a.id), await stockOf(supergraph, b.id)]).toEqual([1, 3]);
    });

    it('refuses an empty cart, and a cart with a line out of stock, leaving the cart as it was', async () => {
      const shopper = await signedInUser(supergraph);
      expect(errorCodes(await checkout(shopper))).toEqual(['BAD_USER_INPUT']);
      const product = await build.product({ stockQuantity: 3 });
      await addToCart(shopper, product.id, 3);
      await supergraph.catalog.prisma.product.update({ where: { id: product.id }, data: { stockQuantity: 2 } });
      expect(errorCodes(await checkout(shopper))).toEqual(['OUT_OF_STOCK']);
      expect((await cartOf(shopper)).items).toHaveLength(1);
      expect(await stockOf(supergraph, product.id)).toBe(2);
      expect(await supergraph.orders.prisma.order.count({ where: { userId: shopper.userId } })).toBe(0);
    });
  });

  describe('orders', () => {
    it('shows a shopper its orders and cart in Me, and reads one order', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product({ price: '4.20' });
      const order = await placed(shopper, [{ productId: product.id, quantity: 2 }]);
      await addToCart(shopper, product.id, 1);

      const me = await supergraph.request<{ me: { id: string; cart: CartView; orders: { items: Array<{ id: string; total: Money }>; meta: { totalItems: number } } } }>({
        query: Me,
        headers: shopper.headers,
      });
      expect(me.errors).toBeUndefined();
      expect(me.data!.me.orders.items.map((item) => [item.id, item.total.amount])).toEqual([[order.id, '8.40']]);
      expect(me.data!.me.cart.items).toHaveLength(1);

      const read = await supergraph.request<{ order: { id: string; user: { id: string }; items: Array<{ lineTotal: Money; product: { name: string } }> } }>({
        query: OrderQuery,
        variables: { id: order.id },
        headers: shopper.headers,
      });
      expect(read.data!.order).toMatchObject({ id: order.id, user: { id: shopper.userId }, items: [{ lineTotal: { amount: '8.40' }, product: { name: product.name } }] });
    });

    it('reads another shopper\'s order as not there', async () => {
      const [owner, other] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph)]);
      const order = await placed(owner, [{ productId: (await build.product()).id, quantity: 1 }]);
      const read = await supergraph.request({ query: OrderQuery, variables: { id: order.id }, headers: other.headers });
      expect(read.data).toEqual({ order: null });
      expect(errorCodes(await cancel(other, order.id))).toEqual(['NOT_FOUND']);
    });

    it('still shows an order whose product was deleted since', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product();
      const order = await placed(shopper, [{ productId: product.id, quantity: 1 }]);
      await supergraph.catalog.prisma.product.update({ where: { id: product.id }, data: { deletedAt: new Date() } });
      const read = await supergraph.request<{ order: { items: Array<{ product: { id: string; name: string } }> } }>({
        query: OrderQuery,
        variables: { id: order.id },
        headers: shopper.headers,
      });
      expect(read.errors).toBeUndefined();
      expect(read.data!.order.items[0]!.product).toMatchObject({ id: product.id, name: product.name });
    });

    it('cancels a PENDING order once and returns its stock once, even when cancelled ten times at once', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 5 });
      const order = await placed(shopper, [{ productId: product.id, quantity: 2 }]);
      expect(await stockOf(supergraph, product.id)).toBe(3);

      const responses = await Promise.all(Array.from({ length: 10 }, () => cancel(shopper, order.id)));
      expect(responses.filter((response) => response.data?.cancelOrder?.status === 'CANCELLED')).toHaveLength(1);
      expect(responses.filter((response) => !response.data?.cancelOrder).map(errorCodes)).toEqual(
        Array.from({ length: 9 }, () => ['INVALID_STATUS_TRANSITION']),
      );
      expect(await stockOf(supergraph, product.id)).toBe(5);
      const stored = await supergraph.orders.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
      expect(stored).toMatchObject({ status: 'CANCELLED', stockState: 'RELEASED' });
    });

    it('lets a shopper cancel only while PENDING', async () => {
      const shopper = await signedInUser(supergraph);
      const order = await placed(shopper, [{ productId: (await build.product()).id, quantity: 1 }]);
      expect((await setStatus(order.id, 'PAID')).data!.updateOrderStatus.status).toBe('PAID');
      expect(errorCodes(await cancel(shopper, order.id))).toEqual(['INVALID_STATUS_TRANSITION']);
    });
  });

  describe('shipping addresses', () => {
    const lyon = { fullName: 'Grace Hopper', line1: '3 Quai Saint-Antoine', city: 'Lyon', postalCode: '69002', country: 'fr', phone: '+33 4 00 00 00 00' };
    const shippedLyon = { ...lyon, country: 'FR', line2: null, region: null };
    type Shipping = Record<string, unknown> | null;
    const placeShipped = (caller: SignedIn, productId: string, shippingAddress: unknown, idempotencyKey: string = randomUUID()) =>
      supergraph.request<{ placeOrder: { id: string; shippingAddress: Shipping } }>({
        query: PlaceOrderWithAddress,
        variables: { input: { items: [{ productId, quantity: 1 }], idempotencyKey, shippingAddress } },
        headers: caller.headers,
      });
    const myOrders = async (caller: SignedIn, filter?: { status: string }) =>
      (await supergraph.request<{ me: { orders: { items: Array<{ id: string; status: string; shippingAddress: Shipping }> } } }>({
        query: MyOrders,
        variables: { filter },
        headers: caller.headers,
      })).data!.me.orders.items;

    it("ships to a saved address and keeps a copy: changing the saved address later leaves the order's as it was", async () => {
      const shopper = await signedInUser(supergraph);
      const saved = await userBuilders(supergraph.users.prisma).address(shopper.userId);
      const response = await placeShipped(shopper, (await build.product()).id, { addressId: saved.id });
      expect(response.errors).toBeUndefined();
      const paris = { fullName: 'Ada Lovelace', line1: '12 Rue de la Paix', line2: null, city: 'Paris', region: null, postalCode: '75002', country: 'FR', phone: null };
      expect(response.data!.placeOrder.shippingAddress).toEqual(paris);

      const edited = await supergraph.request({ query: UpdateAddress, variables: { id: saved.id, input: lyon }, headers: shopper.headers });
      expect(edited.errors).toBeUndefined();
      expect(await myOrders(shopper)).toEqual([expect.objectContaining({ id: response.data!.placeOrder.id, shippingAddress: paris })]);
    });

    it('checks out to an address given with the order', async () => {
      const shopper = await signedInUser(supergraph);
      await addToCart(shopper, (await build.product()).id, 1);
      const response = await supergraph.request<{ checkout: { shippingAddress: Shipping } }>({
        query: CheckoutWithAddress,
        variables: { idempotencyKey: randomUUID(), shippingAddress: { address: lyon } },
        headers: shopper.headers,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.checkout.shippingAddress).toEqual(shippedLyon);
      expect(await cartOf(shopper)).toEqual({ items: [], subtotal: null });
    });

    it("refuses another user's saved address as not found, and an invalid address or choice, placing nothing and taking no stock", async () => {
      const [shopper, other] = await Promise.all([signedInUser(supergraph), signedInUser(supergraph)]);
      const othersAddress = await userBuilders(supergraph.users.prisma).address(other.userId);
      const product = await build.product({ stockQuantity: 5 });
      const notFound = await placeShipped(shopper, product.id, { addressId: othersAddress.id });
      expect([notFound.status, errorCodes(notFound)]).toEqual([404, ['NOT_FOUND']]);
      expect(errorCodes(await placeShipped(shopper, product.id, { addressId: randomUUID() }))).toEqual(['NOT_FOUND']);
      for (const [shippingAddress, field] of [
        [{ address: { ...lyon, country: 'ZZ' } }, 'input.shippingAddress.address.country'],
        [{ address: { ...lyon, city: '' } }, 'input.shippingAddress.address.city'],
        [{ address: lyon, addressId: othersAddress.id }, 'input.shippingAddress'],
        [{}, 'input.shippingAddress'],
      ] as const) {
        const refused = await placeShipped(shopper, product.id, shippingAddress);
        expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
        expect(refused.errors![0]!.extensions!.field).toBe(field);
      }
      expect(await supergraph.orders.prisma.order.count({ where: { userId: shopper.userId } })).toBe(0);
      expect(await stockOf(supergraph, product.id)).toBe(5);
    });

    it('lets a shopper filter its orders by status', async () => {
      const shopper = await signedInUser(supergraph);
      const [paid, pending] = [await placed(shopper, [{ productId: (await build.product()).id, quantity: 1 }]), await placed(shopper, [{ productId: (await build.product()).id, quantity: 1 }])];
      await setStatus(paid.id, 'PAID');
      expect((await myOrders(shopper, { status: 'PAID' })).map((order) => order.id)).toEqual([paid.id]);
      expect((await myOrders(shopper, { status: 'PENDING' })).map((order) => order.id)).toEqual([pending.id]);
      expect((await myOrders(shopper, { status: 'SHIPPED' }))).toEqual([]);
      expect((await myOrders(shopper)).map((order) => order.id).sort()).toEqual([paid.id, pending.id].sort());
      expect((await myOrders(shopper)).find((order) => order.id === paid.id)!.shippingAddress).toBeNull();
    });
  });

  describe('order life cycle (admin)', () => {
    it('moves an order PENDING → PAID → SHIPPED → DELIVERED and refuses anything else', async () => {
      const shopper = await signedInUser(supergraph);
      const order = await placed(shopper, [{ productId: (await build.product()).id, quantity: 1 }]);
      expect(errorCodes(await setStatus(order.id, 'SHIPPED'))).toEqual(['INVALID_STATUS_TRANSITION']);
      for (const status of ['PAID', 'SHIPPED', 'DELIVERED']) {
        expect((await setStatus(order.id, status)).data!.updateOrderStatus.status).toBe(status);
      }
      for (const status of ['CANCELLED', 'PENDING', 'DELIVERED']) {
        expect(errorCodes(await setStatus(order.id, status))).toEqual(['INVALID_STATUS_TRANSITION']);
      }
    });

    it('cancels a PAID order and returns its stock', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 3 });
      const order = await placed(shopper, [{ productId: product.id, quantity: 3 }]);
      await setStatus(order.id, 'PAID');
      expect((await setStatus(order.id, 'CANCELLED')).data!.updateOrderStatus.status).toBe('CANCELLED');
      expect(await stockOf(supergraph, product.id)).toBe(3);
    });

    it('refuses an unknown order with NOT_FOUND and a shopper with FORBIDDEN', async () => {
      const shopper = await signedInUser(supergraph);
      const order = await placed(shopper, [{ productId: (await build.product()).id, quantity: 1 }]);
      expect(errorCodes(await setStatus(randomUUID(), 'PAID'))).toEqual(['NOT_FOUND']);
      const byShopper = await supergraph.request({ query: UpdateOrderStatus, variables: { id: order.id, status: 'PAID' }, headers: shopper.headers });
      expect(errorCodes(byShopper)).toEqual(['FORBIDDEN']);
    });

    it('lists every order to an admin, filtered by status', async () => {
      const shopper = await signedInUser(supergraph);
      const order = await placed(shopper, [{ productId: (await build.product()).id, quantity: 1 }]);
      await setStatus(order.id, 'PAID');
      const response = await supergraph.request<{ orders: { items: Array<{ id: string; status: string }> } }>({
        query: AllOrders,
        variables: { filter: { status: 'PAID', userId: shopper.userId } },
        headers: admin.headers,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.orders.items.map((item) => [item.id, item.status])).toEqual([[order.id, 'PAID']]);
    });
  });

  describe('events', () => {
    it('records order.placed, order.cancelled and stock.changed in the outboxes and publishes them', async () => {
      const shopper = await signedInUser(supergraph);
      const product = await build.product({ stockQuantity: 4 });
      const order = await placed(shopper, [{ productId: product.id, quantity: 1 }]);
      await cancel(shopper, order.id);

      const orderEvents = await supergraph.orders.prisma.outboxEvent.findMany({ where: { aggregateId: order.id }, orderBy: { id: 'asc' } });
      expect(orderEvents.map((event) => event.topic)).toEqual(['order.placed', 'order.cancelled']);
      const stockEvents = await supergraph.catalog.prisma.outboxEvent.findMany({ where: { aggregateId: product.id }, orderBy: { id: 'asc' } });
      expect(stockEvents.map((event) => [event.topic, (event.payload as { stockQuantity: number }).stockQuantity])).toEqual([
        ['stock.changed', 3],
        ['stock.changed', 4],
      ]);

      const feedOf = async (after?: string) => (await readEventFeed(supergraph, 'orders', after)).filter((event) => event.aggregateId === order.id);
      const deadline = Date.now() + 10_000;
      while ((await feedOf()).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const feed = await feedOf();
      expect(feed.map((event) => event.topic)).toEqual(['order.placed', 'order.cancelled']);
      // A consumer that read up to the first event reads on from there, missing nothing.
      expect((await feedOf(feed[0]!.seq)).map((event) => event.topic)).toEqual(['order.cancelled']);
    });
  });
  // The notifications worker on this supergraph's events: the stream on PostgreSQL with NATS,
  // the orders feed on PGlite (docs/adr/0031).
  it('emails the shopper its order confirmation, then shipped and cancelled notes, through the notifications worker', async () => {
    const mailbox = await startMailbox(supergraph);
    try {
      const shopper = await signedInUser(supergraph);
      const shipped = await placed(shopper, [{ productId: (await build.product({ price: '12.50' })).id, quantity: 2 }]);
      const cancelled = await placed(shopper, [{ productId: (await build.product()).id, quantity: 1 }]);
      await setStatus(shipped.id, 'PAID');
      await setStatus(shipped.id, 'SHIPPED');
      expect((await cancel(shopper, cancelled.id)).errors).toBeUndefined();

      const mails = await mailbox.waitForMails(shopper.email, 4);
      const subjects = mails.map((mail) => /^Subject: (.*)$/m.exec(mail)?.[1]).sort();
      expect(subjects).toEqual(
        [`Your order ${shipped.id} is confirmed`, `Your order ${cancelled.id} is confirmed`, `Your order ${shipped.id} has shipped`, `Your order ${cancelled.id} is cancelled`].sort(),
      );
      const confirmation = mails.find((mail) => mail.includes(`Your order ${shipped.id} is confirmed`))!;
      expect(confirmation).toContain(`Order number: ${shipped.id}`);
      expect(confirmation).toContain(`Total: ${shipped.total.amount} ${shipped.total.currency}`);
    } finally {
      await mailbox.stop();
    }
  });
});
