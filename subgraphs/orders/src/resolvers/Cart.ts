import type { CartItemResolvers, CartResolvers } from '../generated/graphql.js';
import { isAvailable, lineTotal, subtotal } from '../services/cart.js';

export const Cart: CartResolvers = {
  subtotal: (cart, _args, ctx) => subtotal(ctx, cart),
};

export const CartItem: CartItemResolvers = {
  product: (item) => ({ id: item.productId }),
  lineTotal: (item, _args, ctx) => lineTotal(ctx, item),
  available: (item, _args, ctx) => isAvailable(ctx, item),
};
