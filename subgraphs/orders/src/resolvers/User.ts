import type { UserResolvers } from '../generated/graphql.js';
import { cartOf } from '../services/cart.js';
import { listOrdersOfUser } from '../services/orders.js';

export const User: UserResolvers = {
  orders: (user, args, ctx) => listOrdersOfUser(ctx, user.id, args),
  cart: (user, _args, ctx) => cartOf(ctx, user.id),
};
