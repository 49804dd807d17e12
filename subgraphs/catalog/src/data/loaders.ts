import DataLoader from 'dataloader';
import { alignById, groupByKey, readThroughLoader, sharedReads } from '@shop/db';
import type { Category, Product } from '../generated/prisma/client.js';
import { findCategoriesByIds, findChildrenOf } from './categories.js';
import type { CatalogPrisma } from './client.js';
import { findProductsByIds, findShownProducts, type ShownProduct } from './products.js';

/**
 * Reads by id that every request of the process shares, one statement for the ids all the
 * requests of an event-loop turn ask (docs/adr/0043). Made once, at start.
 */
export function createSharedReads(prisma: CatalogPrisma) {
  return {
    products: sharedReads<Product>(async (ids) => alignById(ids, await findProductsByIds(prisma, ids))),
    shownProducts: sharedReads<ShownProduct>(async (ids) => alignById(ids, await findShownProducts(prisma, ids))),
    categories: sharedReads<Category>(async (ids) => alignById(ids, await findCategoriesByIds(prisma, ids))),
  };
}

export type CatalogSharedReads = ReturnType<typeof createSharedReads>;

/** Created per request, so caches never outlive one operation or cross callers; their reads by id go through the shared ones. */
export function createLoaders(prisma: CatalogPrisma, shared: CatalogSharedReads) {
  const categoryById = readThroughLoader<Category>(shared.categories);
  return {
    productById: readThroughLoader<Product>(shared.products),
    /** A product as `product(id)` shows it: its category and that one's parent come in the same statement, primed. */
    shownProductById: new DataLoader<string, Product | null>(async (ids) => {
      const shown = await shared.shownProducts(ids);
      shown.forEach((entry) => entry?.categories.forEach((category) => categoryById.prime(category.id, category)));
      return shown.map((entry) => entry?.product ?? null);
    }),
    categoryById,
    childrenByParentId: new DataLoader<string, Category[]>(async (ids) =>
      groupByKey(ids, await findChildrenOf(prisma, ids), (category) => category.parentId),
    ),
  };
}

export type CatalogLoaders = ReturnType<typeof createLoaders>;
