import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type Database } from '@shop/db';
import { createLogger } from '@shop/logging';
import { createTestPglite, type TestPglite } from '@shop/testing/subgraph';
import { createPrisma, migrationsDir, seedCatalog, type CatalogPrisma } from '../src/index.js';

describe('the demo catalog', () => {
  let files: TestPglite;
  let database: Database;
  let prisma: CatalogPrisma;
  const logger = createLogger('seed-test', 'silent');

  beforeAll(async () => {
    files = await createTestPglite();
    database = await openDatabase(files.config);
    await database.migrate(migrationsDir);
    prisma = createPrisma(database);
    await seedCatalog(prisma, logger);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await database.close();
    await files.drop();
  });

  it('looks like a shop: 500+ products across brands and prices, some inactive, some sold out', async () => {
    expect(await prisma.product.count()).toBeGreaterThanOrEqual(500);
    expect(await prisma.product.count({ where: { isActive: false } })).toBeGreaterThan(0);
    expect(await prisma.product.count({ where: { stockQuantity: 0, isActive: true } })).toBeGreaterThan(0);
    const brands = await prisma.product.groupBy({ by: ['brand'] });
    expect(brands.length).toBeGreaterThanOrEqual(10);
    const prices = await prisma.product.aggregate({ _min: { price: true }, _max: { price: true } });
    expect(Number(prices._min.price)).toBeLessThan(20);
    expect(Number(prices._max.price)).toBeGreaterThan(1000);
  });

  it('has a category tree at least three levels deep, every product in a leaf', async () => {
    const categories = await prisma.category.findMany();
    const byId = new Map(categories.map((category) => [category.id, category]));
    const depth = (id: string): number => {
      const parentId = byId.get(id)?.parentId;
      return parentId ? 1 + depth(parentId) : 1;
    };
    expect(Math.max(...categories.map((category) => depth(category.id)))).toBeGreaterThanOrEqual(3);
    const parents = new Set(categories.map((category) => category.parentId));
    const productCategories = await prisma.product.groupBy({ by: ['categoryId'] });
    expect(productCategories.every((group) => group.categoryId && !parents.has(group.categoryId))).toBe(true);
  });

  it('is idempotent', async () => {
    const before = { products: await prisma.product.count(), categories: await prisma.category.count() };
    await seedCatalog(prisma, logger);
    expect({ products: await prisma.product.count(), categories: await prisma.category.count() }).toEqual(before);
  });
});
