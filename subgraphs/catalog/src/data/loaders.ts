import DataLoader from 'dataloader';
import { alignById, groupByKey, readThroughLoader } from '@shop/db';
import type { Category, Product } from '../generated/prisma/client.js';
import { findCategoriesByIds, findChildrenOf } from './categories.js';
import type { CatalogPrisma } from './client.js';
import { findProductsByIds, findProductsWithCategories } from './products.js';

/** Created per request, so batches and caches never outlive one operation or cross callers. */
export function createLoaders(prisma: CatalogPrisma) {
  const categoryById = readThroughLoader<Category>(async (ids) => alignById(ids, await findCategoriesByIds(prisma, ids)));
  return {
    productById: readThroughLoader<Product>(async (ids) => alignById(ids, await findProductsByIds(prisma, ids))),
    /** A product as `product(id)` shows it: its category and that one's parent come in the same statement, primed. */
    shownProductById: new DataLoader<string, Product | null>(async (ids) => {
      const { products, categories } = await findProductsWithCategories(prisma, ids);
      categories.forEach((category) => categoryById.prime(category.id, category));
      return alignById(ids, products);
    }),
    categoryById,
    childrenByParentId: new DataLoader<string, Category[]>(async (ids) =>
      groupByKey(ids, await findChildrenOf(prisma, ids), (category) => category.parentId),
    ),
  };
}

export type CatalogLoaders = ReturnType<typeof createLoaders>;
