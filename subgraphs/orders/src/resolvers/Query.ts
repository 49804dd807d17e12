import type { QueryResolvers } from '../generated/graphql.js';
import { getOrder, listAllOrders } from '../services/orders.js';
import { selectsOrderLines } from './selection.js';

export const Query: QueryResolvers = {
  order: (_parent, { id }, ctx) => getOrder(ctx, id),
  orders: (_parent, args, ctx, info) => listAllOrders(ctx, args, selectsOrderLines(info)),
};
