import type { PageWindow } from '@shop/graphql-kit';
import type { Prisma } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';
import { productChanged, stockChanged } from './events.js';
import { recordMovement, type StockActor } from './ledger.js';

export type ProductWhere = Prisma.ProductWhereInput;
export type ProductOrder = Prisma.ProductOrderByWithRelationInput[];

export const findProductsByIds = (prisma: CatalogPrisma, ids: readonly string[]) =>
  prisma.product.findMany({ where: { id: { in: [...ids] } } });

export async function findProductPage(
  prisma: CatalogPrisma,
  query: PageWindow & { where: ProductWhere; orderBy: ProductOrder },
) {
  const [items, totalItems] = await Promise.all([
    prisma.product.findMany(query),
    prisma.product.count({ where: query.where }),
  ]);
  return { items, totalItems };
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
export const databaseNow = async (prisma: CatalogPrisma) => (await prisma.$queryRaw<Array<{ now: Date }>>`SELECT now() AS now`)[0]!.now;
