import { notImplemented } from '@shop/errors';
import type { UserResolvers } from '../generated/graphql.js';
import { listOrdersOfUser } from '../services/orders.js';

export const User: UserResolvers = {
  orders: (user, args, ctx) => listOrdersOfUser(ctx, user.id, args),
  // The cart arrives with the commerce issue (#5).
  cart: () => {
    throw notImplemented('User.cart');
  },
};
