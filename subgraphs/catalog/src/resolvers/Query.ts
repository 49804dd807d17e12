import type { QueryResolvers } from '../generated/graphql.js';
import { getCategory, listCategories } from '../services/categories.js';
import { lowStockProducts, stockMovements } from '../services/ledger.js';
import { getProduct, listProducts } from '../services/products.js';
import { selectsPageTotal } from './selection.js';

export const Query: QueryResolvers = {
  products: (_parent, args, ctx, info) => listProducts(ctx, args, { countTotal: selectsPageTotal(info) }),
  product: (_parent, { id }, ctx) => getProduct(ctx, id),
  categories: (_parent, _args, ctx) => listCategories(ctx),
  category: (_parent, { id }, ctx) => getCategory(ctx, id),
  stockMovements: (_parent, { productId, ...page }, ctx) => stockMovements(ctx, productId, page),
  lowStockProducts: (_parent, { below, ...page }, ctx) => lowStockProducts(ctx, below, page),
};
