import type { UserResolvers } from '../generated/graphql.js';
import { cartOf } from '../services/cart.js';
import { listOrdersOfUser } from '../services/orders.js';
import { selectsCartPrices, selectsOrderLines } from './selection.js';

export const User: UserResolvers = {
  orders: (user, args, ctx, info) => listOrdersOfUser(ctx, user.id, args, selectsOrderLines(info)),
  cart: (user, _args, ctx, info) => cartOf(ctx, user.id, selectsCartPrices(info)),
};
