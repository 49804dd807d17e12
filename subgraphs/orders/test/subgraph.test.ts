import { randomUUID } from 'node:crypto';
import type { RunningSubgraph } from '@shop/graphql-kit';
import { aloneOptions, asGatewayTo, entitiesQuery, errorCodes, personViewer, postGraphQL, refusalOf } from '@shop/testing/subgraph';
import { startOrders, type OrdersPrisma } from '../src/index.js';
import { orderBuilders, type OrderBuilders } from './builders.js';

/**
 * The orders subgraph alone, as the gateway sees it: operations and `_entities` over HTTP,
 * signed for a viewer, on PGlite in memory. Nothing listens at its catalog URL: no case here
 * asks catalog anything (service tests cover the saga with a fake catalog).
 */
describe('orders subgraph', () => {
  let orders: RunningSubgraph<OrdersPrisma>;
  let build: OrderBuilders;
  let send: ReturnType<typeof asGatewayTo>;

  beforeAll(async () => {
    const options = aloneOptions('orders');
    orders = await startOrders({ ...options, catalogUrl: 'http://127.0.0.1:1/graphql' });
    build = orderBuilders(orders.prisma);
    send = asGatewayTo('orders', { url: orders.url, keys: options.gatewayKeys });
  });
  afterAll(() => orders?.stop());

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

  describe('access rules, kept by the subgraph too', () => {
    it('refuses every order to a shopper with FORBIDDEN (admins only)', async () => {
      const response = await send({ query: '{ orders { meta { totalItems } } }' }, personViewer());
      expect(refusalOf(response)).toEqual({ data: null, codes: ['FORBIDDEN'] });
    });

    it('refuses placing an order anonymously with UNAUTHENTICATED', async () => {
      const response = await send({
        query: 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
        variables: { input: { idempotencyKey: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] } },
      });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['UNAUTHENTICATED'] });
    });

    it('refuses a request the gateway did not sign', async () => {
      const response = await postGraphQL(orders.url, { query: '{ __typename }' });
      expect([response.status, errorCodes(response)]).toEqual([401, ['UNAUTHENTICATED']]);
    });
  });

  describe('validation', () => {
    it('refuses 11 units of a product with BAD_USER_INPUT naming the field, before asking catalog', async () => {
      const response = await send(
        {
          query: 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
          variables: { input: { idempotencyKey: randomUUID(), items: [{ productId: randomUUID(), quantity: 11 }] } },
        },
        personViewer(),
      );
      expect(refusalOf(response)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
      expect(response.errors![0]!.extensions!.field).toBe('input.items[0].quantity');
    });

    it('refuses a status the schema does not know before running anything', async () => {
      const response = await send({ query: `mutation { updateOrderStatus(id: "${randomUUID()}", status: LOST) { id } }` }, personViewer('ADMIN'));
      expect([response.status, errorCodes(response)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
    });
  });
});
