import { afterAll, beforeAll } from '@jest/globals';
import { createPrisma, migrationsDir, type CatalogPrisma } from '@shop/catalog';
import { createTestDatabases, type Backend, type TestDatabases } from '@shop/testing';
import { openDatabase, type Database } from '../src/index.js';

/**
 * A migrated catalog database on this backend, opened through @shop/db with the catalog's own
 * Prisma client on it (a real client, so Prisma decides which statements run), for the suite
 * that calls this; its fields are set once the suite's beforeAll has run.
 */
export function catalogDatabase(backend: Backend): { databases: TestDatabases; database: Database; prisma: CatalogPrisma } {
  const suite = {} as { databases: TestDatabases; database: Database; prisma: CatalogPrisma };
  beforeAll(async () => {
    suite.databases = await createTestDatabases(backend);
    suite.database = await openDatabase(suite.databases.configs.catalog);
    await suite.database.migrate(migrationsDir);
    suite.prisma = createPrisma(suite.database);
  });
  afterAll(async () => {
    await suite.prisma?.$disconnect();
    await suite.database?.close();
    await suite.databases?.drop();
  });
  return suite;
}
