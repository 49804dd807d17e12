import type { Prisma } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';

export type ProductWhere = Prisma.ProductWhereInput;
export type ProductOrder = Prisma.ProductOrderByWithRelationInput[];

export const findProductsByIds = (prisma: CatalogPrisma, ids: readonly string[]) =>
  prisma.product.findMany({ where: { id: { in: [...ids] } } });

export async function findProductPage(
  prisma: CatalogPrisma,
  query: { where: ProductWhere; orderBy: ProductOrder; skip: number; take: number },
) {
  const [items, totalItems] = await Promise.all([
    prisma.product.findMany(query),
    prisma.product.count({ where: query.where }),
  ]);
  return { items, totalItems };
}
