import { countedPageOf, countedPageStatement, pageRowColumn, type CountedPageRow } from '@shop/db';
import { literalPattern, type PageWindow } from '@shop/graphql-kit';
import { Prisma, type Category, type Product } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';
import { productChanged, stockChanged } from './events.js';
import { recordMovement, type StockActor } from './ledger.js';

/** A product row as Prisma's model reads it: Decimal price, Date instants. */
const productColumns = Prisma.sql`
  p.id, p.name, p.description, p.brand, p.price, p.currency, p.category_id AS "categoryId",
  p.stock_quantity AS "stockQuantity", p.image_url AS "imageUrl", p.is_active AS "isActive",
  p.deleted_at AS "deletedAt", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

/** One indexed read by primary key (docs/adr/0038: raw SQL costs a fraction of findMany's CPU). */
export const findProductsByIds = (prisma: CatalogPrisma, ids: readonly string[]) =>
  prisma.$readRows<Product[]>(Prisma.sql`SELECT ${productColumns} FROM products p WHERE p.id = ANY(${[...ids]}::uuid[])`);

export type ProductSortKey = 'PRICE_ASC' | 'PRICE_DESC' | 'NAME_ASC' | 'NAME_DESC' | 'NEWEST' | 'OLDEST' | 'SYNC';

/** Ties broken by id, so pages never overlap; sync reads in its cursor's (updatedAt, id) order. */
const orderings: Record<ProductSortKey, Prisma.Sql> = {
  PRICE_ASC: Prisma.sql`p.price ASC, p.id ASC`,
  PRICE_DESC: Prisma.sql`p.price DESC, p.id ASC`,
  NAME_ASC: Prisma.sql`p.name ASC, p.id ASC`,
  NAME_DESC: Prisma.sql`p.name DESC, p.id ASC`,
  NEWEST: Prisma.sql`p.created_at DESC, p.id ASC`,
  OLDEST: Prisma.sql`p.created_at ASC, p.id ASC`,
  SYNC: Prisma.sql`p.updated_at ASC, p.id ASC`,
};

/** Which products a page reads: every condition set narrows it. */
export interface ProductConditions {
  /** False: deleted products are left out. */
  includeDeleted: boolean;
  isActive?: boolean;
  /** The category and every category below it. */
  categoryId?: string;
  /** Case-insensitively equal. */
  brand?: string;
  minPrice?: string;
  maxPrice?: string;
  /** Each term in the name or the description, case-insensitively; wildcards in it match literally. */
  searchTerms?: readonly string[];
  inStock?: boolean;
  updatedUpTo?: Date;
  updatedAfter?: Date;
  /** After this (updatedAt, id) position. */
  after?: { updatedAt: Date; id: string };
}

/**
 * `literalPattern` escapes with a backslash, LIKE's default escape character. The term is
 * lowered by PostgreSQL, as ILIKE would (in a UTF-8 database ILIKE lowers both sides), and
 * matched against `search_text`, the row's name and description lowered once when written
 * (docs/adr/0041); the newline between them is in no term (terms are split on white space).
 */
const containing = (term: string) => Prisma.sql`p.search_text LIKE lower(${`%${literalPattern(term)}%`})`;

function whereClause(conditions: ProductConditions): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (!conditions.includeDeleted) parts.push(Prisma.sql`p.deleted_at IS NULL`);
  if (conditions.isActive != null) parts.push(Prisma.sql`p.is_active = ${conditions.isActive}`);
  if (conditions.categoryId != null) {
    parts.push(Prisma.sql`p.category_id IN (
      WITH RECURSIVE subtree AS (
        SELECT id FROM categories WHERE id = ${conditions.categoryId}::uuid
        UNION
        SELECT child.id FROM categories child JOIN subtree ON child.parent_id = subtree.id
      )
      SELECT id FROM subtree)`);
  }
  if (conditions.brand != null) parts.push(Prisma.sql`lower(p.brand) = lower(${conditions.brand})`);
  if (conditions.minPrice != null) parts.push(Prisma.sql`p.price >= ${conditions.minPrice}::numeric`);
  if (conditions.maxPrice != null) parts.push(Prisma.sql`p.price <= ${conditions.maxPrice}::numeric`);
  for (const term of conditions.searchTerms ?? []) {
    parts.push(containing(term));
  }
  if (conditions.inStock === true) parts.push(Prisma.sql`p.stock_quantity > 0`);
  if (conditions.inStock === false) parts.push(Prisma.sql`p.stock_quantity <= 0`);
  if (conditions.updatedUpTo) parts.push(Prisma.sql`p.updated_at <= ${conditions.updatedUpTo}`);
  if (conditions.updatedAfter) parts.push(Prisma.sql`p.updated_at > ${conditions.updatedAfter}`);
  if (conditions.after) parts.push(Prisma.sql`(p.updated_at, p.id) > (${conditions.after.updatedAt}, ${conditions.after.id}::uuid)`);
  return parts.length === 0 ? Prisma.sql`TRUE` : Prisma.join(parts, ' AND ');
}

const categoryFields = ['id', 'name', 'description', 'parentId', 'createdAt', 'updatedAt'] as const satisfies ReadonlyArray<keyof Category>;
const categoryColumnNames: Record<(typeof categoryFields)[number], string> = {
  id: 'id',
  name: 'name',
  description: 'description',
  parentId: 'parent_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

/** A joined category's columns, each named `<prefix>_<field>` (the alias and prefix are constants, never input). */
const categoryColumns = (alias: 'c' | 'parent', prefix: 'category' | 'parent') =>
  Prisma.raw(categoryFields.map((field) => `${alias}.${categoryColumnNames[field]} AS "${prefix}_${field}"`).join(', '));

type JoinedRow = Product & Record<string, unknown>;

/** The category a LEFT JOIN brought under `prefix`; null when there was none. */
function joinedCategory(row: JoinedRow, prefix: 'category' | 'parent'): Category | null {
  if (row[`${prefix}_id`] == null) return null;
  return Object.fromEntries(categoryFields.map((field) => [field, row[`${prefix}_${field}`]])) as unknown as Category;
}

function productOf(row: JoinedRow): Product {
  const { id, name, description, brand, price, currency, categoryId, stockQuantity, imageUrl, isActive, deletedAt, createdAt, updatedAt } = row;
  return { id, name, description, brand, price, currency, categoryId, stockQuantity, imageUrl, isActive, deletedAt, createdAt, updatedAt };
}

export interface ProductPage {
  items: Product[];
  /** The products' categories, which a page shows beside them. */
  categories: Category[];
  /** Null when not counted. */
  totalItems: number | null;
}

/**
 * A page of products with their categories, and when asked, the total the conditions match:
 * one statement either way.
 */
export async function findProductPage(
  prisma: CatalogPrisma,
  query: PageWindow & { conditions: ProductConditions; sort: ProductSortKey; countTotal: boolean },
): Promise<ProductPage> {
  const where = whereClause(query.conditions);
  // The page's products first, then their categories: joined before the LIMIT, every matching
  // product would be joined and carried to the sort. A lateral join leaves the planner only a
  // nested loop over the page's rows, which keeps their order.
  const pageOf = (extra: Prisma.Sql) => Prisma.sql`
    SELECT page.*, c.*${extra}
    FROM (
      SELECT ${productColumns} FROM products p WHERE ${where}
      ORDER BY ${orderings[query.sort]} LIMIT ${query.take} OFFSET ${query.skip}
    ) page LEFT JOIN LATERAL (SELECT ${categoryColumns('c', 'category')} FROM categories c WHERE c.id = page."categoryId") c ON TRUE`;
  if (!query.countTotal) {
    const rows = await prisma.$readRows<JoinedRow[]>(pageOf(Prisma.empty));
    return { items: rows.map(productOf), categories: categoriesOf(rows), totalItems: null };
  }
  const { rows, totalItems } = countedPageOf(
    await prisma.$readRows<Array<CountedPageRow<JoinedRow>>>(
      countedPageStatement(pageOf(Prisma.sql`, ${pageRowColumn}`), Prisma.sql`SELECT count(*) FROM products p WHERE ${where}`),
    ),
  );
  return { items: rows.map(productOf), categories: categoriesOf(rows), totalItems };
}

const categoriesOf = (rows: JoinedRow[]) => distinctCategories(rows.map((row) => joinedCategory(row, 'category')));

const distinctCategories = (categories: Array<Category | null>) =>
  [...new Map(categories.filter((category) => category !== null).map((category) => [category.id, category])).values()];

/**
 * Products as a storefront shows one (`product(id)`): with its category and that category's
 * parent, which the page shows too, in one statement.
 */
export async function findShownProducts(prisma: CatalogPrisma, ids: readonly string[]): Promise<ShownProduct[]> {
  const rows = await prisma.$readRows<JoinedRow[]>(Prisma.sql`
    SELECT ${productColumns}, ${categoryColumns('c', 'category')}, ${categoryColumns('parent', 'parent')}
    FROM products p
    LEFT JOIN categories c ON c.id = p.category_id
    LEFT JOIN categories parent ON parent.id = c.parent_id
    WHERE p.id = ANY(${[...ids]}::uuid[])`);
  return rows.map((row) => ({
    id: row.id,
    product: productOf(row),
    categories: [joinedCategory(row, 'category'), joinedCategory(row, 'parent')].filter((category) => category !== null),
  }));
}

/** A product with the categories shown beside it: its own and that one's parent, when it has them. */
export interface ShownProduct {
  id: string;
  product: Product;
  categories: Category[];
}

/** The product, its opening stock movement and its events, in one transaction. */
export const createProduct = (prisma: CatalogPrisma, data: Prisma.ProductUncheckedCreateInput, actor: StockActor) =>
  prisma.$transaction(async (tx) => {
    const product = await tx.product.create({ data });
    if (product.stockQuantity !== 0) {
      await recordMovement(tx, { productId: product.id, delta: product.stockQuantity, stockAfter: product.stockQuantity, reason: 'OPENING', actor });
    }
    await productChanged(tx, product.id);
    await stockChanged(tx, product.id, product.stockQuantity, 0);
    return product;
  });

/**
 * Changes a product that is not deleted; null when there is none. Setting the stock is a
 * correction by the difference: the row is locked first, so no order moves it in between.
 */
export const updateProduct = (prisma: CatalogPrisma, id: string, data: Prisma.ProductUncheckedUpdateInput & { stockQuantity?: number }, actor: StockActor) =>
  prisma.$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<Array<{ stockQuantity: number }>>`
      SELECT stock_quantity AS "stockQuantity" FROM products WHERE id = ${id}::uuid AND deleted_at IS NULL FOR UPDATE`;
    if (!before) return null;
    const product = await tx.product.update({ where: { id }, data });
    await productChanged(tx, id);
    const delta = product.stockQuantity - before.stockQuantity;
    if (delta !== 0) {
      await recordMovement(tx, { productId: id, delta, stockAfter: product.stockQuantity, reason: 'CORRECTION', actor });
      await stockChanged(tx, id, product.stockQuantity, before.stockQuantity);
    }
    return product;
  });

/** Hides a product for good (its row stays for past orders); false when it was not there to delete. */
export const softDeleteProduct = (prisma: CatalogPrisma, id: string, at: Date) =>
  prisma.$transaction(async (tx) => {
    const deleted = await tx.product.updateMany({ where: { id, deletedAt: null }, data: { deletedAt: at } });
    if (deleted.count === 0) return false;
    await productChanged(tx, id);
    return true;
  });

export const productExists = async (prisma: CatalogPrisma, id: string) => (await prisma.product.count({ where: { id } })) > 0;

/** The database's clock at its transaction's start: what the products' `updated_at` is stamped with. */
export const databaseNow = async (prisma: CatalogPrisma) => (await prisma.$readRows<Array<{ now: Date }>>(Prisma.sql`SELECT now() AS now`))[0]!.now;
