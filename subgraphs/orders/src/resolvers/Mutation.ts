import type { MutationResolvers } from '../generated/graphql.js';
import { addToCart, checkout, removeFromCart, updateCartItem } from '../services/cart.js';
import { cancelOrder, placeOrder, updateOrderStatus } from '../services/orders.js';

export const Mutation: MutationResolvers = {
  addToCart: (_parent, { productId, quantity }, ctx) => addToCart(ctx, productId, quantity),
  updateCartItem: (_parent, { productId, quantity }, ctx) => updateCartItem(ctx, productId, quantity),
  removeFromCart: (_parent, { productId }, ctx) => removeFromCart(ctx, productId),
  checkout: (_parent, { idempotencyKey, shippingAddress }, ctx) => checkout(ctx, idempotencyKey, shippingAddress),
  placeOrder: (_parent, { input }, ctx) => placeOrder(ctx, input),
  cancelOrder: (_parent, { id }, ctx) => cancelOrder(ctx, id),
  updateOrderStatus: (_parent, { id, status }, ctx) => updateOrderStatus(ctx, id, status),
};
