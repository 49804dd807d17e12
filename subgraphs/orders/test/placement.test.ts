import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@shop/errors';
import { personViewer } from '@shop/testing/subgraph';
import { cancelOrder, placeOrder } from '../src/services/orders.js';
import { startOrderRecovery } from '../src/services/recovery.js';
import type { ShippingAddressInput } from '../src/generated/graphql.js';
import type { PlacementHooks } from '../src/services/placement.js';
import { startOrdersService, type OrdersService } from './service-kit.js';

/**
 * The order saga as a service: record the order, reserve and commit its stock in catalog,
 * confirm it; or undo it. Catalog is an in-memory fake, so each test stops it at the step it means.
 */
describe('placing an order (service)', () => {
  let service: OrdersService;
  /** Each test sets the probe it needs; the saga is built once, as in production. */
  const probes: PlacementHooks = {};

  beforeAll(async () => {
    service = await startOrdersService({ afterReserve: async (id) => probes.afterReserve?.(id) });
  });
  afterEach(() => {
    probes.afterReserve = undefined;
    service.catalog.state.down = false;
    service.users.state.down = false;
    service.catalog.calls.length = 0;
  });
  afterAll(() => service?.stop());

  const place = async (
    viewer: ReturnType<typeof personViewer>,
    items: Array<{ productId: string; quantity: number }>,
    idempotencyKey = randomUUID(),
    shippingAddress?: ShippingAddressInput,
  ) => placeOrder(service.contextFor(viewer), { items, idempotencyKey, shippingAddress });
  const ordersOf = (userId: string) => service.prisma.order.findMany({ where: { userId }, include: { items: true } });

  /** Runs the recovery job as production does, quickly, until `done` holds (at most 5 s). */
  async function recoverUntil(done: () => Promise<boolean>) {
    const recovery = startOrderRecovery(service, { intervalMs: 20, staleAfterMs: 0 });
    try {
      const deadline = Date.now() + 5_000;
      while (!(await done()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await recovery.stop();
    }
  }

  it('reserves, records and confirms: the order carries the reserved prices and total, and the stock is committed', async () => {
    const buyer = personViewer();
    const lamp = service.catalog.product({ name: 'Lamp', price: '19.99', stockQuantity: 5 });
    const bulb = service.catalog.product({ name: 'Bulb', price: '0.10', stockQuantity: 50 });

    const order = await place(buyer, [{ productId: lamp.id, quantity: 2 }, { productId: bulb.id, quantity: 3 }]);

    expect([order.status, order.stockState, order.total.toString(), order.currency]).toEqual(['PENDING', 'RESERVED', '40.28', 'USD']);
    expect(service.catalog.calls).toEqual(['reserve', 'commit']);
    expect(service.catalog.reservationOf(order.id)).toBe('COMMITTED');
    expect([service.catalog.stockOf(lamp.id), service.catalog.stockOf(bulb.id)]).toEqual([3, 47]);
    const [stored] = await ordersOf(buyer.userId);
    expect(stored!.items.map((item) => [item.productName, item.quantity, item.unitPrice.toString()]).sort()).toEqual([
      ['Bulb', 3, '0.1'],
      ['Lamp', 2, '19.99'],
    ]);
    const events = await service.prisma.outboxEvent.findMany({ where: { aggregateId: order.id } });
    expect(events.map((event) => event.topic)).toEqual(['order.placed']);
  });

  it('is refused with OUT_OF_STOCK when catalog has too few units, and leaves no order', async () => {
    const buyer = personViewer();
    const product = service.catalog.product({ stockQuantity: 1 });

    await expect(place(buyer, [{ productId: product.id, quantity: 2 }])).rejects.toMatchObject({ code: ErrorCode.OUT_OF_STOCK });

    expect(await ordersOf(buyer.userId)).toEqual([]);
    expect(service.catalog.stockOf(product.id)).toBe(1);
  });

  it('refuses a product catalog no longer sells, and one it does not know', async () => {
    const buyer = personViewer();
    const retired = service.catalog.product({ orderable: false });
    await expect(place(buyer, [{ productId: retired.id, quantity: 1 }])).rejects.toMatchObject({ code: ErrorCode.PRODUCT_UNAVAILABLE });
    await expect(place(buyer, [{ productId: randomUUID(), quantity: 1 }])).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await ordersOf(buyer.userId)).toEqual([]);
  });

  it('leaves the order for recovery when catalog stops answering after the reservation; recovery confirms it and a retry returns it', async () => {
    const buyer = personViewer();
    const product = service.catalog.product({ stockQuantity: 5 });
    const key = randomUUID();
    probes.afterReserve = async () => {
      service.catalog.state.down = true;
    };

    await expect(place(buyer, [{ productId: product.id, quantity: 2 }], key)).rejects.toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE });
    const [left] = await ordersOf(buyer.userId);
    expect(left!.stockState).toBe('RESERVING');

    probes.afterReserve = undefined;
    service.catalog.state.down = false;
    service.users.state.down = false;
    await recoverUntil(async () => (await ordersOf(buyer.userId))[0]?.stockState === 'RESERVED');

    const [recovered] = await ordersOf(buyer.userId);
    expect([recovered!.id, recovered!.stockState, recovered!.total.toString()]).toEqual([left!.id, 'RESERVED', '20']);
    expect(service.catalog.reservationOf(left!.id)).toBe('COMMITTED');
    expect(service.catalog.stockOf(product.id)).toBe(3);
    const retry = await place(buyer, [{ productId: product.id, quantity: 2 }], key);
    expect(retry.id).toBe(left!.id);
    expect(service.catalog.stockOf(product.id)).toBe(3);
  });

  it('lets recovery undo an order whose reservation lapsed while catalog was away: the stock is back and no order shows', async () => {
    const buyer = personViewer();
    const product = service.catalog.product({ stockQuantity: 5 });
    probes.afterReserve = async () => {
      service.catalog.state.down = true;
    };
    await expect(place(buyer, [{ productId: product.id, quantity: 4 }])).rejects.toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE });
    const [left] = await ordersOf(buyer.userId);

    // Catalog's sweeper gave the units back before the order could confirm.
    probes.afterReserve = undefined;
    service.catalog.state.down = false;
    service.users.state.down = false;
    await service.catalog.client.release(left!.id);
    await recoverUntil(async () => (await ordersOf(buyer.userId)).length === 0);

    expect(await ordersOf(buyer.userId)).toEqual([]);
    expect(service.catalog.stockOf(product.id)).toBe(5);
  });

  it('lets recovery return the stock of an order cancelled while catalog was away', async () => {
    const buyer = personViewer();
    const product = service.catalog.product({ stockQuantity: 5 });
    const order = await place(buyer, [{ productId: product.id, quantity: 2 }]);
    service.catalog.state.down = true;

    const cancelled = await cancelOrder(service.contextFor(buyer), order.id);
    expect([cancelled.status, cancelled.stockState]).toEqual(['CANCELLED', 'RELEASING']);

    service.catalog.state.down = false;
    service.users.state.down = false;
    await recoverUntil(async () => (await ordersOf(buyer.userId))[0]?.stockState === 'RELEASED');
    expect(service.catalog.stockOf(product.id)).toBe(5);
  });

  describe('shipping address', () => {
    const paris = { fullName: 'Ada Lovelace', line1: '12 Rue de la Paix', line2: null, city: 'Paris', region: null, postalCode: '75002', country: 'FR', phone: null };

    it('keeps a copy of a saved address: a later edit does not reach the order, and a retry with the same key returns it', async () => {
      const buyer = personViewer();
      const addressId = service.users.save(buyer.userId, paris);
      const lamp = service.catalog.product({ stockQuantity: 5 });
      const key = randomUUID();
      const order = await place(buyer, [{ productId: lamp.id, quantity: 1 }], key, { addressId });
      expect(order.shippingAddress).toEqual(paris);

      service.users.edit(addressId, { city: 'Lyon' });
      const replay = await place(buyer, [{ productId: lamp.id, quantity: 1 }], key, { addressId });
      expect(replay.id).toBe(order.id);
      expect((await service.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).shippingAddress).toEqual(paris);
    });

    it("refuses an address that is not the buyer's, and a users subgraph that does not answer, before anything is written or reserved", async () => {
      const [buyer, other] = [personViewer(), personViewer()];
      const othersAddress = service.users.save(other.userId, paris);
      const lamp = service.catalog.product({ stockQuantity: 5 });
      await expect(place(buyer, [{ productId: lamp.id, quantity: 1 }], randomUUID(), { addressId: othersAddress })).rejects.toMatchObject({
        extensions: { code: ErrorCode.NOT_FOUND },
      });
      service.users.state.down = true;
      const ownAddress = service.users.save(buyer.userId, paris);
      await expect(place(buyer, [{ productId: lamp.id, quantity: 1 }], randomUUID(), { addressId: ownAddress })).rejects.toMatchObject({
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      });
      expect(await ordersOf(buyer.userId)).toEqual([]);
      expect(service.catalog.calls).toEqual([]);
      expect(service.catalog.stockOf(lamp.id)).toBe(5);
    });

    it('refuses a key used again with another address (IDEMPOTENCY_KEY_REUSED), and takes one used without an address as before', async () => {
      const buyer = personViewer();
      const lamp = service.catalog.product({ stockQuantity: 5 });
      const lines = [{ productId: lamp.id, quantity: 1 }];
      const key = randomUUID();
      const order = await place(buyer, lines, key, { address: { ...paris, country: 'fr' } });
      await expect(place(buyer, lines, key, { address: { ...paris, city: 'Lyon' } })).rejects.toMatchObject({
        extensions: { code: ErrorCode.IDEMPOTENCY_KEY_REUSED },
      });
      await expect(place(buyer, lines, key)).rejects.toMatchObject({ extensions: { code: ErrorCode.IDEMPOTENCY_KEY_REUSED } });
      expect((await place(buyer, lines, key, { address: paris })).id).toBe(order.id);
      const plain = randomUUID();
      const withoutAddress = await place(buyer, lines, plain);
      expect([withoutAddress.shippingAddress, (await place(buyer, lines, plain)).id]).toEqual([null, withoutAddress.id]);
    });
  });

  describe('idempotency', () => {
    it('returns the same order for the same key and request, reserving once', async () => {
      const buyer = personViewer();
      const product = service.catalog.product({ stockQuantity: 5 });
      const key = randomUUID();
      const lines = [{ productId: product.id, quantity: 1 }];

      const first = await place(buyer, lines, key);
      const again = await place(buyer, lines, key);

      expect(again.id).toBe(first.id);
      expect(service.catalog.calls.filter((call) => call === 'reserve')).toHaveLength(1);
      expect(service.catalog.stockOf(product.id)).toBe(4);
    });

    it('returns one order to concurrent requests with the same key', async () => {
      const buyer = personViewer();
      const product = service.catalog.product({ stockQuantity: 5 });
      const key = randomUUID();
      const lines = [{ productId: product.id, quantity: 1 }];

      const orders = await Promise.all([place(buyer, lines, key), place(buyer, lines, key), place(buyer, lines, key)]);

      expect(new Set(orders.map((order) => order.id)).size).toBe(1);
      expect(service.catalog.stockOf(product.id)).toBe(4);
    });

    it('refuses the same key for another request with IDEMPOTENCY_KEY_REUSED', async () => {
      const buyer = personViewer();
      const product = service.catalog.product({ stockQuantity: 5 });
      const key = randomUUID();
      await place(buyer, [{ productId: product.id, quantity: 1 }], key);

      await expect(place(buyer, [{ productId: product.id, quantity: 2 }], key)).rejects.toMatchObject({ code: ErrorCode.IDEMPOTENCY_KEY_REUSED });
      expect(service.catalog.stockOf(product.id)).toBe(4);
    });

    it('keeps keys per buyer: another buyer\'s same key places an order of its own', async () => {
      const product = service.catalog.product({ stockQuantity: 5 });
      const key = randomUUID();
      const lines = [{ productId: product.id, quantity: 1 }];
      const [mine, theirs] = [await place(personViewer(), lines, key), await place(personViewer(), lines, key)];
      expect(mine.id).not.toBe(theirs.id);
    });
  });
});
