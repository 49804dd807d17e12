import { isAdmin, type Viewer } from '@shop/auth';
import { isId, parseId, parseInput, readPage, type Page, type PageArgs } from '@shop/graphql-kit';
import type { ProductFilter, ProductSort } from '../generated/graphql.js';
import type { Product } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { findProductPage, type ProductConditions, type ProductSortKey } from '../data/products.js';
import { productFilterInput } from './input.js';
import { listingPage, syncProducts, type SyncPage } from './sync.js';

/** Who sees which products: the public sees active ones, admins may ask for inactive ones too. */
function visibility(viewer: Viewer, isActive: boolean | null | undefined): ProductConditions {
  if (isAdmin(viewer)) return isActive == null ? { includeDeleted: false } : { includeDeleted: false, isActive };
  return { includeDeleted: false, isActive: true };
}

/** The filter's own conditions (its visibility and sync fields aside). */
function filterConditions(fields: ProductFilter): Omit<ProductConditions, 'includeDeleted'> {
  const filter = parseInput(productFilterInput, fields, 'filter');
  return {
    categoryId: filter.categoryId ?? undefined,
    brand: filter.brand ?? undefined,
    minPrice: filter.minPrice ?? undefined,
    maxPrice: filter.maxPrice ?? undefined,
    searchTerms: filter.search ?? [],
    inStock: filter.inStock ?? undefined,
  };
}

/**
 * A page of products, its categories primed for `category` and its total counted only when
 * `countTotal` (the caller selected it): uncounted, the meta's total reads 0 and is never shown.
 */
export async function readProductPage(
  ctx: Context,
  args: PageArgs,
  query: { conditions: () => ProductConditions; sort: ProductSortKey; countTotal: boolean },
): Promise<Page<Product>> {
  const page = await readPage(args, async (window) => {
    const found = await findProductPage(ctx.prisma, { ...query, conditions: query.conditions(), ...window });
    found.categories.forEach((category) => ctx.loaders.categoryById.prime(category.id, category));
    return { items: found.items, totalItems: found.totalItems ?? 0 };
  });
  page.items.forEach((product) => ctx.loaders.productById.prime(product.id, product));
  return page;
}

/**
 * A listing page; in sync mode (`filter.updatedAfter` or `after`), the changes since a point
 * instead (services/sync.ts). Outside it, nothing is unavailable and there is no cursor.
 */
export async function listProducts(
  ctx: Context,
  args: PageArgs & { filter?: ProductFilter | null; sort?: ProductSort | null; after?: string | null },
  { countTotal }: { countTotal: boolean },
): Promise<SyncPage> {
  const filter = args.filter ?? {};
  if (filter.updatedAfter != null || args.after != null) {
    const filtered = filterConditions(filter);
    return syncProducts(ctx, { ...args, updatedAfter: filter.updatedAfter ?? null, after: args.after ?? null, countTotal }, filtered, filter.isActive);
  }
  // The filter is checked after the page's arguments, as readPage orders it.
  const conditions = () => ({ ...visibility(ctx.viewer, filter.isActive), ...filterConditions(filter) });
  const page = await readProductPage(ctx, args, { conditions, sort: args.sort ?? 'NEWEST', countTotal });
  return listingPage(page);
}

/** A product as a storefront sees it: unknown, deleted and (for non-admins) inactive ones read as null. */
export async function getProduct(ctx: Context, id: string): Promise<Product | null> {
  const product = await ctx.loaders.shownProductById.load(parseId(id));
  if (!product || product.deletedAt) return null;
  if (!product.isActive && !isAdmin(ctx.viewer)) return null;
  return product;
}

/** By entity reference (an order line): history must resolve, whatever became of the product. */
export const getProductReference = (ctx: Context, id: string) =>
  isId(id) ? ctx.loaders.productById.load(id.toLowerCase()) : null;
