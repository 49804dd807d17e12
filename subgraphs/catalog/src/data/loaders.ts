import DataLoader from 'dataloader';
import { alignById, groupByKey } from '@shop/db';
import type { Category, Product } from '../generated/prisma/client.js';
import { findCategoriesByIds, findChildrenOf } from './categories.js';
import type { CatalogPrisma } from './client.js';
import { findProductsByIds, findProductsWithCategories } from './products.js';

/**
 * A DataLoader in front of which what this request already read (primed) is answered at once.
 * A promise per item made graphql-js complete each item of a page asynchronously, and
 * DataLoader's own prime makes a promise per row: together most of a page's promises.
 */
function readThrough<V extends object>(loader: DataLoader<string, V | null>) {
  const read = new Map<string, V>();
  return {
    load: (id: string): V | null | Promise<V | null> => read.get(id) ?? loader.load(id),
    /** As DataLoader's: what is already known stays. */
    prime: (id: string, value: V) => {
      if (!read.has(id)) read.set(id, value);
    },
  };
}

/** Created per request, so batches and caches never outlive one operation or cross callers. */
export function createLoaders(prisma: CatalogPrisma) {
  const categoryById = readThrough(new DataLoader<string, Category | null>(async (ids) => alignById(ids, await findCategoriesByIds(prisma, ids))));
  return {
    productById: readThrough(new DataLoader<string, Product | null>(async (ids) => alignById(ids, await findProductsByIds(prisma, ids)))),
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
