import { notImplementedResolvers } from '@shop/graphql-kit';
import type { MutationResolvers } from '../generated/graphql.js';

// Carts, checkout and order life cycle arrive with the commerce issue (#5).
export const Mutation: MutationResolvers = notImplementedResolvers([
  'addToCart',
  'updateCartItem',
  'removeFromCart',
  'checkout',
  'placeOrder',
  'cancelOrder',
  'updateOrderStatus',
]);
