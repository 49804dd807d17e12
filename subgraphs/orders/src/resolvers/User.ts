import type { UserResolvers } from '../generated/graphql.js';
import { cartOf } from '../services/cart.js';
import { listOrdersOfUser } from '../services/orders.js';
import { selectsPath } from './selection.js';

export const User: UserResolvers = {
  orders: (user, args, ctx, info) => listOrdersOfUser(ctx, user.id, args, selectsPath(info, ORDER_LINES)),
  cart: (user, _args, ctx, info) => cartOf(ctx, user.id, CART_PRICES.some((path) => selectsPath(info, path))),
};

/** An order page's `items { items }`: the orders' lines. */
export const ORDER_LINES = ['items', 'items'] as const;

/** A cart's fields that need its products' current prices. */
const CART_PRICES = [['subtotal'], ['items', 'lineTotal'], ['items', 'available']] as const;
