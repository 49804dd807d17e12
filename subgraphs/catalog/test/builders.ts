import { randomUUID } from 'node:crypto';
import type { CatalogPrisma } from '../src/data/client.js';
import { recordMovement } from '../src/data/ledger.js';
import type { Prisma } from '../src/generated/prisma/client.js';

const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;

/** Small builders: each test makes the categories and products it reads, with unique names. */
export function catalogBuilders(prisma: CatalogPrisma) {
  return {
    category: (data: Partial<Prisma.CategoryUncheckedCreateInput> = {}) =>
      prisma.category.create({ data: { name: unique('Category'), ...data } }),
    /** A product whose stock opens its ledger, as a product the API creates does (one statement: tests make hundreds at once). */
    product: (data: Partial<Prisma.ProductUncheckedCreateInput> = {}) => {
      const stockQuantity = data.stockQuantity ?? 5;
      const opening = { delta: stockQuantity, stockAfter: stockQuantity, reason: 'OPENING', actorKind: 'SYSTEM' } as const;
      return prisma.product.create({
        data: {
          name: unique('Product'),
          description: 'A product made for a test',
          brand: unique('Brand'),
          price: '10.00',
          currency: 'USD',
          ...data,
          stockQuantity,
          ...(stockQuantity !== 0 ? { stockMovements: { create: opening } } : {}),
        },
      });
    },
    /** Sets a product's stock behind the API's back, as a stock count would: a correction in its ledger. */
    stock: (productId: string, stockQuantity: number) =>
      prisma.$transaction(async (tx) => {
        const before = await tx.product.findUniqueOrThrow({ where: { id: productId } });
        const product = await tx.product.update({ where: { id: productId }, data: { stockQuantity } });
        await recordMovement(tx, {
          productId,
          delta: stockQuantity - before.stockQuantity,
          stockAfter: stockQuantity,
          reason: 'CORRECTION',
          actor: { kind: 'SYSTEM' },
        });
        return product;
      }),
  };
}

export type CatalogBuilders = ReturnType<typeof catalogBuilders>;

/** Rows and events of catalog's database, to compare before and after a write that must change none of them. */
export async function catalogState(prisma: CatalogPrisma) {
  const products = await prisma.product.findMany({ orderBy: { id: 'asc' } });
  const categories = await prisma.category.findMany({ orderBy: { id: 'asc' } });
  return { products, categories, events: await prisma.outboxEvent.count(), movements: await prisma.stockMovement.count() };
}

/**
 * Products whose stock is not the sum of their movements (none, when every write kept the
 * ledger): the invariant of docs/adr/0033.
 */
export const ledgerMismatches = (prisma: CatalogPrisma) =>
  prisma.$queryRaw<Array<{ id: string; stockQuantity: number; ledger: number }>>`
    SELECT p.id::text AS id, p.stock_quantity AS "stockQuantity", coalesce(sum(m.delta), 0)::int AS ledger
    FROM products p LEFT JOIN stock_movements m ON m.product_id = p.id
    GROUP BY p.id HAVING p.stock_quantity <> coalesce(sum(m.delta), 0)`;
