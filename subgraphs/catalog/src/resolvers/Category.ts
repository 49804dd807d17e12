import type { CategoryResolvers } from '../generated/graphql.js';
import { childrenOf, getCategoryReference, parentOf } from '../services/categories.js';
import { listProducts } from '../services/products.js';
import { selectsPageTotal } from './selection.js';

export const Category: CategoryResolvers = {
  __resolveReference: (reference, ctx) => getCategoryReference(ctx, reference.id),
  parent: (category, _args, ctx) => parentOf(ctx, category),
  children: (category, _args, ctx) => childrenOf(ctx, category),
  products: (category, args, ctx, info) => listProducts(ctx, { ...args, filter: { categoryId: category.id } }, { countTotal: selectsPageTotal(info) }),
};
