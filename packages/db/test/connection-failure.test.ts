import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrismaPg } from '@prisma/adapter-pg';
import { createPrisma, migrationsDir, type CatalogPrisma } from '@shop/catalog';
import { createTestDatabases, startDatabaseOutage, testBackends, type TestDatabases } from '@shop/testing';
import pg from 'pg';
import { asRequest, databaseWasUnavailable, isConnectionFailure, openDatabase, type Database } from '../src/index.js';

const bounds = { maxRows: 1_000 };

/** Runs one failing statement as a request, and tells whether the request was marked as meeting an outage. */
const outageSeenBy = (statement: () => Promise<unknown>) =>
  asRequest(async () => {
    await expect(statement()).rejects.toThrow();
    return databaseWasUnavailable();
  }, bounds);

describe.each(testBackends())('a statement that fails (%s)', (backend) => {
  let databases: TestDatabases;
  let database: Database;
  let prisma: CatalogPrisma;

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    database = await openDatabase(databases.configs.catalog);
    await database.migrate(migrationsDir);
    prisma = createPrisma(database);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.close();
    await databases?.drop();
  });

  it('is no outage when the statement is at fault (text PostgreSQL cannot hold)', async () => {
    expect(await outageSeenBy(() => prisma.category.create({ data: { name: 'NUL \u0000 inside' } }))).toBe(false);
  });

  if (backend === 'postgres') {
    it('is an outage when the database refuses connections and drops its sessions, and no longer once it is back', async () => {
      const config = databases.configs.catalog;
      if (config.kind !== 'postgres') throw new Error('expected PostgreSQL');
      const outage = await startDatabaseOutage(new URL(config.url).pathname.slice(1));
      try {
        expect(await outageSeenBy(() => prisma.category.count())).toBe(true);
        expect(await outageSeenBy(() => prisma.$transaction(async (tx) => tx.category.count()))).toBe(true);
      } finally {
        await outage.end();
      }
      expect(await asRequest(async () => [await prisma.category.count(), databaseWasUnavailable()], bounds)).toEqual([0, false]);
    });
  }
});

describe('a database that is gone', () => {
  it('is an outage on PGlite once it is closed', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    await database.migrate(migrationsDir);
    const prisma = createPrisma(database);
    await database.close();
    expect(await outageSeenBy(() => prisma.category.count())).toBe(true);
  });

  it('is an outage when nothing listens where PostgreSQL should', async () => {
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
    await new Promise((resolve) => probe.close(resolve));
    const adapter = await new PrismaPg(new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none` })).connect();
    const failure = await adapter.queryRaw({ sql: 'SELECT 1', args: [], argTypes: [] }).catch((error: unknown) => error);
    expect(isConnectionFailure(failure)).toBe(true);
    await adapter.dispose();
  });
});
