import { money } from '@shop/graphql-kit';
import type { ProductResolvers } from '../generated/graphql.js';
import { getCategoryReference } from '../services/categories.js';
import { getProductReference } from '../services/products.js';

export const Product: ProductResolvers = {
  __resolveReference: (reference, ctx) => getProductReference(ctx, reference.id),
  price: (product) => money(product.price, product.currency),
  inStock: (product) => product.stockQuantity > 0,
  category: (product, _args, ctx) => (product.categoryId ? getCategoryReference(ctx, product.categoryId) : null),
};
