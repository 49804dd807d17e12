import type { PageWindow } from '@shop/graphql-kit';
import type { Prisma } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';
import { productChanged, stockChanged } from './events.js';

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

/** The product and its events, in one transaction. */
export const createProduct = (prisma: CatalogPrisma, data: Prisma.ProductUncheckedCreateInput) =>
  prisma.$transaction(async (tx) => {
    const product = await tx.product.create({ data });
    await productChanged(tx, product.id);
    await stockChanged(tx, product.id, product.stockQuantity, 0);
    return product;
  });

/** Changes a product that is not deleted; null when there is none. */
export const updateProduct = (prisma: CatalogPrisma, id: string, data: Prisma.ProductUncheckedUpdateInput) =>
  prisma.$transaction(async (tx) => {
    const updated = await tx.product.updateMany({ where: { id, deletedAt: null }, data });
    if (updated.count === 0) return null;
    const product = await tx.product.findUniqueOrThrow({ where: { id } });
    await productChanged(tx, id);
    if (data.stockQuantity !== undefined) await stockChanged(tx, id, product.stockQuantity, null);
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
