import { isAdmin, type Viewer } from '@shop/auth';
import { isId, literalPattern, parseId, parseInput, readPage, type PageArgs } from '@shop/graphql-kit';
import type { ProductFilter, ProductSort } from '../generated/graphql.js';
import type { Product } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { findSubtreeIds } from '../data/categories.js';
import { findProductPage, type ProductOrder, type ProductWhere } from '../data/products.js';
import { productFilterInput } from './input.js';
import { listingPage, syncProducts, type SyncPage } from './sync.js';

const sortOrders: Record<ProductSort, ProductOrder> = {
  PRICE_ASC: [{ price: 'asc' }, { id: 'asc' }],
  PRICE_DESC: [{ price: 'desc' }, { id: 'asc' }],
  NAME_ASC: [{ name: 'asc' }, { id: 'asc' }],
  NAME_DESC: [{ name: 'desc' }, { id: 'asc' }],
  NEWEST: [{ createdAt: 'desc' }, { id: 'asc' }],
  OLDEST: [{ createdAt: 'asc' }, { id: 'asc' }],
};

/** Who sees which products: the public sees active ones, admins may ask for inactive ones too. */
function visibility(viewer: Viewer, isActive: boolean | null | undefined): ProductWhere {
  if (isAdmin(viewer)) return isActive == null ? { deletedAt: null } : { deletedAt: null, isActive };
  return { deletedAt: null, isActive: true };
}

async function filterToWhere(ctx: Context, fields: ProductFilter): Promise<ProductWhere> {
  const filter = parseInput(productFilterInput, fields, 'filter');
  const conditions: ProductWhere[] = [];
  if (filter.categoryId != null) conditions.push({ categoryId: { in: await findSubtreeIds(ctx.prisma, filter.categoryId) } });
  if (filter.brand != null) conditions.push({ brand: { equals: filter.brand, mode: 'insensitive' } });
  if (filter.minPrice != null) conditions.push({ price: { gte: filter.minPrice } });
  if (filter.maxPrice != null) conditions.push({ price: { lte: filter.maxPrice } });
  for (const term of filter.search ?? []) {
    conditions.push({
      OR: [
        { name: { contains: literalPattern(term), mode: 'insensitive' } },
        { description: { contains: literalPattern(term), mode: 'insensitive' } },
      ],
    });
  }
  if (filter.inStock === true) conditions.push({ stockQuantity: { gt: 0 } });
  if (filter.inStock === false) conditions.push({ stockQuantity: { lte: 0 } });
  return { AND: conditions };
}

/**
 * A listing page; in sync mode (`filter.updatedAfter` or `after`), the changes since a point
 * instead (services/sync.ts). Outside it, nothing is unavailable and there is no cursor.
 */
export async function listProducts(
  ctx: Context,
  args: PageArgs & { filter?: ProductFilter | null; sort?: ProductSort | null; after?: string | null },
): Promise<SyncPage> {
  const filter = args.filter ?? {};
  if (filter.updatedAfter != null || args.after != null) {
    const filtered = await filterToWhere(ctx, filter);
    return syncProducts(ctx, { ...args, updatedAfter: filter.updatedAfter ?? null, after: args.after ?? null }, filtered, filter.isActive);
  }
  const page = await readPage(args, async (window) => {
    const where: ProductWhere = { AND: [visibility(ctx.viewer, filter.isActive), await filterToWhere(ctx, filter)] };
    return findProductPage(ctx.prisma, { where, orderBy: sortOrders[args.sort ?? 'NEWEST'], ...window });
  });
  page.items.forEach((product) => ctx.loaders.productById.prime(product.id, product));
  return listingPage(page);
}

/** A product as a storefront sees it: unknown, deleted and (for non-admins) inactive ones read as null. */
export async function getProduct(ctx: Context, id: string): Promise<Product | null> {
  const product = await ctx.loaders.productById.load(parseId(id));
  if (!product || product.deletedAt) return null;
  if (!product.isActive && !isAdmin(ctx.viewer)) return null;
  return product;
}

/** By entity reference (an order line): history must resolve, whatever became of the product. */
export const getProductReference = (ctx: Context, id: string) =>
  isId(id) ? ctx.loaders.productById.load(id.toLowerCase()) : null;
