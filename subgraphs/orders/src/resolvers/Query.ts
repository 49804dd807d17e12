import type { QueryResolvers } from '../generated/graphql.js';
import { getOrder, listAllOrders } from '../services/orders.js';
import { selectsPath } from './selection.js';
import { ORDER_LINES } from './User.js';

export const Query: QueryResolvers = {
  order: (_parent, { id }, ctx) => getOrder(ctx, id),
  orders: (_parent, args, ctx, info) => listAllOrders(ctx, args, selectsPath(info, ORDER_LINES)),
};
