import { randomUUID } from 'node:crypto';
import { personViewer } from '@shop/testing/subgraph';
import { eraseBuyer } from '../src/data/erasure.js';
import { placeOrder } from '../src/services/orders.js';
import { orderBuilders } from './builders.js';
import { startOrdersService, type OrdersService } from './service-kit.js';

/**
 * What the orders subgraph does when it learns that an account was deleted (docs/adr/0035):
 * the buyer's orders stay, without their shipping address, once however often it is told.
 */
describe("erasing a deleted buyer's personal data (service)", () => {
  let service: OrdersService;
  const address = { address: { fullName: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' } };

  beforeAll(async () => {
    service = await startOrdersService();
  });
  afterAll(() => service?.stop());

  const place = (userId: string) =>
    placeOrder(service.contextFor(personViewer('USER', userId)), {
      items: [{ productId: service.catalog.product({ price: '5.00', stockQuantity: 5 }).id, quantity: 1 }],
      idempotencyKey: randomUUID(),
      shippingAddress: address,
    });
  const anonymisedEvents = (userId: string) => service.prisma.outboxEvent.findMany({ where: { topic: 'order.anonymised', payload: { path: ['userId'], equals: userId } } });

  it("erases the address of every order of the buyer's, and the cart, once: told again it changes nothing and tells no one", async () => {
    const buyer = randomUUID();
    const bystander = randomUUID();
    const orders = [await place(buyer), await place(buyer)];
    const kept = await place(bystander);
    await orderBuilders(service.prisma).cartLine(buyer, randomUUID());

    const first = await eraseBuyer(service.prisma, buyer, new Date());
    expect(first.sort()).toEqual(orders.map((order) => order.id).sort());
    const stored = await service.prisma.order.findMany({ where: { userId: buyer }, include: { items: true } });
    expect(stored.map((order) => [order.shippingAddress, order.anonymisedAt !== null, order.total.toString(), order.items.length])).toEqual([
      [null, true, '5', 1],
      [null, true, '5', 1],
    ]);
    expect(await service.prisma.cart.count({ where: { userId: buyer } })).toBe(0);
    expect((await anonymisedEvents(buyer)).map((event) => event.aggregateId).sort()).toEqual(first.sort());
    expect((await service.prisma.order.findUniqueOrThrow({ where: { id: kept.id } })).shippingAddress).not.toBeNull();

    // The event read again (a redelivery, a replay from an older checkpoint).
    expect(await eraseBuyer(service.prisma, buyer, new Date())).toEqual([]);
    expect(await anonymisedEvents(buyer)).toHaveLength(2);
  });

  it('keeps no address in an order the buyer placed after the erasure (its access token honoured for a few seconds more)', async () => {
    const buyer = randomUUID();
    await eraseBuyer(service.prisma, buyer, new Date());
    const late = await place(buyer);
    expect(late.status).toBe('PENDING');
    const stored = await service.prisma.order.findUniqueOrThrow({ where: { id: late.id } });
    expect(stored.shippingAddress).toBeNull();
    expect(stored.anonymisedAt).not.toBeNull();
  });
});
