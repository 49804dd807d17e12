import { randomUUID } from 'node:crypto';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { aloneSubgraph, asGatewayTo, doorAnswer, entitiesQuery, errorCodes, personViewer, postGraphQL, refusalOf, testKeyRing, TURNED_AWAY } from '@shop/testing/subgraph';
import { startOrders, type OrdersPrisma } from '../src/index.js';
import { orderBuilders, type OrderBuilders } from './builders.js';

/**
 * The orders subgraph alone, as the gateway sees it: operations and `_entities` over HTTP,
 * signed for a viewer, on a PGlite database of its own. Nothing listens at its catalog and users
 * URLs: no case here asks either anything (service tests cover the saga with a fake catalog), so input
 * refused here was refused before catalog was asked.
 */
describe('orders subgraph', () => {
  let orders: RunningSubgraph<OrdersPrisma>;
  let alone: Awaited<ReturnType<typeof aloneSubgraph>>;
  let build: OrderBuilders;
  let send: ReturnType<typeof asGatewayTo>;

  beforeAll(async () => {
    alone = await aloneSubgraph('orders');
    orders = await startOrders({ ...alone.options, catalogUrl: 'http://127.0.0.1:1/graphql', usersUrl: 'http://127.0.0.1:1/graphql' });
    build = orderBuilders(orders.prisma);
    send = asGatewayTo('orders', { url: orders.url, keys: alone.options.gatewayKeys });
  });
  afterAll(async () => {
    await orders?.stop();
    await alone?.dropDatabase();
  });

  const lines = [{ productId: randomUUID(), quantity: 2, unitPrice: '12.50', productName: 'Lamp' }];

  describe('_entities', () => {
    const userOrders = entitiesQuery('User', '{ id orders { items { id total { amount currency } items { quantity unitPrice { amount } product { id } } } meta { totalItems } } }');

    it('resolves User.orders for the user itself and for an admin, and an empty page for anyone else', async () => {
      const owner = personViewer();
      const order = await build.order(owner.userId, lines);
      const variables = { representations: [{ __typename: 'User', id: owner.userId }] };

      const own = await send<{ _entities: Array<{ orders: { items: Array<{ id: string; total: unknown; items: unknown[] }> } }> }>({ query: userOrders, variables }, owner);
      expect(own.errors).toBeUndefined();
      expect(own.data!._entities[0]!.orders.items).toEqual([
        {
          id: order.id,
          total: { amount: '25.00', currency: 'USD' },
          items: [{ quantity: 2, unitPrice: { amount: '12.50' }, product: { id: lines[0]!.productId } }],
        },
      ]);
      const byAdmin = await send<{ _entities: Array<{ orders: { meta: { totalItems: number } } }> }>({ query: userOrders, variables }, personViewer('ADMIN'));
      expect(byAdmin.data!._entities[0]!.orders.meta.totalItems).toBe(1);
      const byOther = await send<{ _entities: Array<{ orders: { items: unknown[]; meta: { totalItems: number } } }> }>({ query: userOrders, variables }, personViewer());
      expect(byOther.data!._entities[0]!.orders).toEqual({ items: [], meta: { totalItems: 0 } });
    });

    it('resolves an Order by id for its owner, and null for another user or an unknown id', async () => {
      const owner = personViewer();
      const order = await build.order(owner.userId, lines);
      const query = entitiesQuery('Order', '{ id status user { id } }');
      const variables = { representations: [{ __typename: 'Order', id: order.id }, { __typename: 'Order', id: randomUUID() }] };

      const own = await send({ query, variables }, owner);
      expect(own.data!._entities).toEqual([{ id: order.id, status: 'PENDING', user: { id: owner.userId } }, null]);
      expect((await send({ query, variables }, personViewer())).data!._entities).toEqual([null, null]);
    });
  });

  describe('pages of orders', () => {
    it("pages a user's orders newest first with their lines, and a page past the end with its total, each in one statement", async () => {
      const owner = personViewer();
      const placed = [];
      for (const hour of [1, 2, 3]) {
        placed.push(await build.order(owner.userId, lines, { createdAt: new Date(Date.UTC(2026, 0, 1, hour)) }));
      }
      const query = `query($page: Int, $representations: [_Any!]!) { _entities(representations: $representations) {
        ... on User { orders(page: $page, limit: 2) { items { id items { quantity } } meta { totalItems } } } } }`;
      const page = async (number: number) =>
        (await send<{ _entities: Array<{ orders: unknown }> }>({ query, variables: { page: number, representations: [{ __typename: 'User', id: owner.userId }] } }, owner)).data!
          ._entities[0]!.orders;
      const before = orders.usage();
      expect(await page(2)).toEqual({ items: [{ id: placed[0]!.id, items: [{ quantity: 2 }] }], meta: { totalItems: 3 } });
      expect(await page(3)).toEqual({ items: [], meta: { totalItems: 3 } });
      expect(orders.usage().statements - before.statements).toBe(2);
      expect(await page(1)).toEqual({ items: [placed[2], placed[1]].map((order) => ({ id: order!.id, items: [{ quantity: 2 }] })), meta: { totalItems: 3 } });
    });
    it("reads several users' pages asked in one request in one statement, each user its own orders and total", async () => {
      const [first, second, withoutOrders] = [personViewer(), personViewer(), personViewer()];
      const firstOrders = [await build.order(first.userId, lines), await build.order(first.userId, lines, { status: 'PAID' })];
      const secondOrder = await build.order(second.userId, lines, { status: 'PAID' });
      const query = entitiesQuery('User', '{ id orders(filter: { status: PAID }) { items { id status } meta { totalItems } } }');
      const before = orders.usage();
      const answer = await send<{ _entities: unknown[] }>(
        { query, variables: { representations: [first, second, withoutOrders].map((viewer) => ({ __typename: 'User', id: viewer.userId.toUpperCase() })) } },
        personViewer('ADMIN'),
      );
      expect(orders.usage().statements - before.statements).toBe(1);
      expect(answer.data!._entities).toEqual([
        { id: first.userId.toUpperCase(), orders: { items: [{ id: firstOrders[1]!.id, status: 'PAID' }], meta: { totalItems: 1 } } },
        { id: second.userId.toUpperCase(), orders: { items: [{ id: secondOrder.id, status: 'PAID' }], meta: { totalItems: 1 } } },
        { id: withoutOrders.userId.toUpperCase(), orders: { items: [], meta: { totalItems: 0 } } },
      ]);
    });
  });

  describe('access rules, kept by the subgraph too', () => {
    it('refuses every order to a shopper with FORBIDDEN (admins only)', async () => {
      const response = await send({ query: '{ orders { meta { totalItems } } }' }, personViewer());
      expect(refusalOf(response)).toEqual({ data: null, codes: ['FORBIDDEN'] });
    });

    it('refuses placing an order and reading one anonymously with UNAUTHENTICATED', async () => {
      const response = await send({
        query: 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
        variables: { input: { idempotencyKey: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] } },
      });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['UNAUTHENTICATED'] });
      expect(errorCodes(await send({ query: `{ order(id: "${randomUUID()}") { id } }` }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('callers other than the gateway, turned away', () => {
    it('refuses a request the gateway did not sign, a raw _entities query for an order too', async () => {
      const order = await build.order(personViewer().userId, lines);
      expect(doorAnswer(await postGraphQL(orders.url, { query: '{ __typename }' }))).toEqual(TURNED_AWAY);
      const entities = { query: entitiesQuery('Order', '{ id status }'), variables: { representations: [{ __typename: 'Order', id: order.id }] } };
      expect(doorAnswer(await postGraphQL(orders.url, entities))).toEqual(TURNED_AWAY);
    });

    it('refuses a gateway token signed with another key, even under the right key id', async () => {
      const forger = asGatewayTo('orders', { url: orders.url, keys: testKeyRing(alone.options.gatewayKeys.signing.kid) });
      expect(doorAnswer(await forger({ query: '{ orders { meta { totalItems } } }' }, personViewer('ADMIN')))).toEqual(TURNED_AWAY);
    });
  });

  describe('validation: BAD_USER_INPUT naming the field, nothing written, catalog and users not asked', () => {
    const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';
    const placeOrder = (items: Array<{ productId: string; quantity: number }>, idempotencyKey: string = randomUUID()) =>
      send({ query: PLACE_ORDER, variables: { input: { idempotencyKey, items } } }, personViewer());
    const line = (quantity = 1, productId: string = randomUUID()) => ({ productId, quantity });

    /** Orders, their lines, carts and events: a refused request changes none of them. */
    async function expectNothingWritten(run: () => Promise<unknown>) {
      const snapshot = async () => [
        await orders.prisma.order.count(),
        await orders.prisma.orderItem.count(),
        await orders.prisma.cartItem.count(),
        await orders.prisma.outboxEvent.count(),
      ];
      const before = await snapshot();
      await run();
      expect(await snapshot()).toEqual(before);
    }
    const expectRefused = async (response: Promise<Awaited<ReturnType<typeof send>>>, field?: string) => {
      const answer = await response;
      expect(refusalOf(answer)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
      if (field) expect(answer.errors![0]!.extensions!.field).toBe(field);
    };

    it.each([
      ['quantity 0', 0],
      ['a negative quantity', -1],
      ['11 units of a product', 11],
      ['a quantity of 10^9', 1_000_000_000],
    ])('refuses an order line of %s', async (_name, quantity) => {
      await expectNothingWritten(() => expectRefused(placeOrder([line(quantity)]), 'input.items[0].quantity'));
    });

    it('refuses a malformed product id', async () => {
      await expectNothingWritten(() => expectRefused(placeOrder([line(1, 'not-an-id')])));
    });

    it('refuses two lines of one product, whatever the case of its id', async () => {
      const productId = randomUUID();
      await expectNothingWritten(() => expectRefused(placeOrder([line(1, productId), line(2, productId.toUpperCase())]), 'input.items[1].productId'));
    });

    it('refuses a 101-line order and an empty one', async () => {
      await expectNothingWritten(async () => {
        await expectRefused(placeOrder(Array.from({ length: 101 }, () => line())));
        await expectRefused(placeOrder([]));
      });
    });

    it('refuses an empty, blank or oversized idempotency key', async () => {
      await expectNothingWritten(async () => {
        for (const key of ['', '   ', 'k'.repeat(201)]) await expectRefused(placeOrder([line()], key));
      });
    });

    it.each([
      ['an unknown country', { address: { fullName: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'XY' } }, 'input.shippingAddress.address.country'],
      ['a blank name', { address: { fullName: ' ', line1: 'B', city: 'C', postalCode: '1', country: 'US' } }, 'input.shippingAddress.address.fullName'],
      ['a malformed saved address id', { addressId: 'home' }, 'input.shippingAddress.addressId'],
      ['both a saved address and one given', { addressId: randomUUID(), address: { fullName: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'US' } }, 'input.shippingAddress'],
    ])('refuses a shipping address with %s before users is asked', async (_name, shippingAddress, field) => {
      const input = { idempotencyKey: randomUUID(), items: [line()], shippingAddress };
      await expectNothingWritten(() => expectRefused(send({ query: PLACE_ORDER, variables: { input } }, personViewer()), field));
    });

    it.each([
      ['quantity 0', 0],
      ['a negative quantity', -3],
      ['a quantity of 10^9', 1_000_000_000],
    ])('refuses adding %s of a product to a cart', async (_name, quantity) => {
      const buyer = personViewer();
      const ADD_TO_CART = 'mutation($productId: ID!, $quantity: Int!) { addToCart(productId: $productId, quantity: $quantity) { items { quantity } } }';
      await expectNothingWritten(() => expectRefused(send({ query: ADD_TO_CART, variables: { productId: randomUUID(), quantity } }, buyer), 'quantity'));
      expect(await orders.prisma.cartItem.count({ where: { cart: { userId: buyer.userId } } })).toBe(0);
    });

    it('refuses a status the schema does not know before running anything', async () => {
      const response = await send({ query: `mutation { updateOrderStatus(id: "${randomUUID()}", status: LOST) { id } }` }, personViewer('ADMIN'));
      expect([response.status, errorCodes(response)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
    });
  });
});
