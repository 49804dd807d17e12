import type { OrderResolvers } from '../generated/graphql.js';
import { getOrderReference, itemsOf, shippingAddressOf } from '../services/orders.js';
import { money } from '@shop/graphql-kit';

export const Order: OrderResolvers = {
  __resolveReference: (reference, ctx) => getOrderReference(ctx, reference.id),
  user: (order) => ({ id: order.userId }),
  items: (order, _args, ctx) => itemsOf(ctx, order),
  total: (order) => money(order.total, order.currency),
  shippingAddress: (order) => shippingAddressOf(order),
};
