import { randomUUID } from 'node:crypto';
import type { CatalogPrisma } from '../src/data/client.js';
import type { Prisma } from '../src/generated/prisma/client.js';

const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;

/** Small builders: each test makes the categories and products it reads, with unique names. */
export function catalogBuilders(prisma: CatalogPrisma) {
  return {
    category: (data: Partial<Prisma.CategoryUncheckedCreateInput> = {}) =>
      prisma.category.create({ data: { name: unique('Category'), ...data } }),
    product: (data: Partial<Prisma.ProductUncheckedCreateInput> = {}) =>
      prisma.product.create({
        data: {
          name: unique('Product'),
          description: 'A product made for a test',
          brand: unique('Brand'),
          price: '10.00',
          currency: 'USD',
          stockQuantity: 5,
          ...data,
        },
      }),
  };
}

export type CatalogBuilders = ReturnType<typeof catalogBuilders>;

/** Rows and events of catalog's database, to compare before and after a write that must change none of them. */
export async function catalogState(prisma: CatalogPrisma) {
  const products = await prisma.product.findMany({ orderBy: { id: 'asc' } });
  const categories = await prisma.category.findMany({ orderBy: { id: 'asc' } });
  return { products, categories, events: await prisma.outboxEvent.count() };
}
