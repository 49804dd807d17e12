import { isAdmin, type Viewer } from '@shop/auth';
import { badUserInput } from '@shop/errors';
import { boundedText, compareDecimals, isId, literalPattern, parseId, readPage, type Page, type PageArgs } from '@shop/graphql-kit';
import type { ProductFilter, ProductSort } from '../generated/graphql.js';
import type { Product } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { findSubtreeIds } from '../data/categories.js';
import { findProductPage, type ProductOrder, type ProductWhere } from '../data/products.js';

const MAX_SEARCH_TERMS = 8;

const sortOrders: Record<ProductSort, ProductOrder> = {
  PRICE_ASC: [{ price: 'asc' }, { id: 'asc' }],
  PRICE_DESC: [{ price: 'desc' }, { id: 'asc' }],
  NAME_ASC: [{ name: 'asc' }, { id: 'asc' }],
  NAME_DESC: [{ name: 'desc' }, { id: 'asc' }],
  NEWEST: [{ createdAt: 'desc' }, { id: 'asc' }],
  OLDEST: [{ createdAt: 'asc' }, { id: 'asc' }],
};

function nonNegativePrice(value: string, field: string): string {
  if (compareDecimals(value, '0') < 0) throw badUserInput(`${field} cannot be negative`, field);
  return value;
}

/** Who sees which products: the public sees active ones, admins may ask for inactive ones too. */
function visibility(viewer: Viewer, isActive: boolean | null | undefined): ProductWhere {
  if (isAdmin(viewer)) return isActive == null ? { deletedAt: null } : { deletedAt: null, isActive };
  return { deletedAt: null, isActive: true };
}

async function filterToWhere(ctx: Context, filter: ProductFilter): Promise<ProductWhere> {
  const conditions: ProductWhere[] = [];
  if (filter.categoryId != null) {
    const categoryIds = await findSubtreeIds(ctx.prisma, parseId(filter.categoryId, 'filter.categoryId'));
    conditions.push({ categoryId: { in: categoryIds } });
  }
  if (filter.brand != null) {
    conditions.push({ brand: { equals: boundedText(filter.brand, 'filter.brand'), mode: 'insensitive' } });
  }
  const minPrice = filter.minPrice == null ? null : nonNegativePrice(filter.minPrice, 'filter.minPrice');
  const maxPrice = filter.maxPrice == null ? null : nonNegativePrice(filter.maxPrice, 'filter.maxPrice');
  if (minPrice !== null && maxPrice !== null && compareDecimals(minPrice, maxPrice) > 0) {
    throw badUserInput('filter.minPrice is above filter.maxPrice', 'filter.minPrice');
  }
  if (minPrice !== null) conditions.push({ price: { gte: minPrice } });
  if (maxPrice !== null) conditions.push({ price: { lte: maxPrice } });
  if (filter.search != null) {
    const terms = boundedText(filter.search, 'filter.search').split(/\s+/).filter(Boolean);
    if (terms.length > MAX_SEARCH_TERMS) throw badUserInput(`filter.search has more than ${MAX_SEARCH_TERMS} words`, 'filter.search');
    for (const term of terms) {
      conditions.push({
        OR: [
          { name: { contains: literalPattern(term), mode: 'insensitive' } },
          { description: { contains: literalPattern(term), mode: 'insensitive' } },
        ],
      });
    }
  }
  if (filter.inStock === true) conditions.push({ stockQuantity: { gt: 0 } });
  if (filter.inStock === false) conditions.push({ stockQuantity: { lte: 0 } });
  return { AND: conditions };
}

export async function listProducts(
  ctx: Context,
  args: PageArgs & { filter?: ProductFilter | null; sort?: ProductSort | null },
): Promise<Page<Product>> {
  const filter = args.filter ?? {};
  const page = await readPage(args, async (window) => {
    const where: ProductWhere = { AND: [visibility(ctx.viewer, filter.isActive), await filterToWhere(ctx, filter)] };
    return findProductPage(ctx.prisma, { where, orderBy: sortOrders[args.sort ?? 'NEWEST'], ...window });
  });
  page.items.forEach((product) => ctx.loaders.productById.prime(product.id, product));
  return page;
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
