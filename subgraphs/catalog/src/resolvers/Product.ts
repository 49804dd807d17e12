import { formatDecimal } from '@shop/graphql-kit';
import type { ProductResolvers } from '../generated/graphql.js';
import { getCategoryReference } from '../services/categories.js';
import { getProductReference } from '../services/products.js';

/** NUMERIC(10,2): prices always read with two decimals. */
const PRICE_SCALE = 2;

export const Product: ProductResolvers = {
  __resolveReference: (reference, ctx) => getProductReference(ctx, reference.id),
  price: (product) => ({ amount: formatDecimal(product.price, PRICE_SCALE), currency: product.currency }),
  inStock: (product) => product.stockQuantity > 0,
  category: (product, _args, ctx) => (product.categoryId ? getCategoryReference(ctx, product.categoryId) : null),
};
