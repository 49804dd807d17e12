import type { MutationResolvers } from '../generated/graphql.js';
import { createCategory, updateCategory } from '../services/category-admin.js';
import { adjustStock } from '../services/ledger.js';
import { createProduct, deleteProduct, updateProduct } from '../services/product-admin.js';

// Admins only: `@requiresScopes` in the SDL, enforced at the gateway and by the generated rules.
export const Mutation: MutationResolvers = {
  createCategory: (_parent, { input }, ctx) => createCategory(ctx, input),
  updateCategory: (_parent, { id, input }, ctx) => updateCategory(ctx, id, input),
  createProduct: (_parent, { input }, ctx) => createProduct(ctx, input),
  updateProduct: (_parent, { id, input }, ctx) => updateProduct(ctx, id, input),
  deleteProduct: (_parent, { id }, ctx) => deleteProduct(ctx, id),
  adjustStock: (_parent, { input }, ctx) => adjustStock(ctx, input),
};
