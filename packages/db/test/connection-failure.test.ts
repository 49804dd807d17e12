import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { PrismaPg } from '@prisma/adapter-pg';
import { sqltag as sql } from '@prisma/client/runtime/client';
import { createPrisma, migrationsDir } from '@shop/catalog';
import { startDatabaseOutage, testBackends } from '@shop/testing';
import pg from 'pg';
import { asRequest, databaseWasUnavailable, isConnectionFailure, openDatabase } from '../src/index.js';
import { catalogDatabase } from './catalog-database.js';

const bounds = { maxRows: 1_000 };

/** Runs one failing statement as a request, and tells whether the request was marked as meeting an outage. */
const outageSeenBy = (statement: () => Promise<unknown>) =>
  asRequest(async () => {
    await expect(statement()).rejects.toThrow();
    return databaseWasUnavailable();
  }, bounds);

describe.each(testBackends())('a statement that fails (%s)', (backend) => {
  const suite = catalogDatabase(backend);

  it('is no outage when the statement is at fault (text PostgreSQL cannot hold, a value its type refuses)', async () => {
    const { prisma } = suite;
    expect(await outageSeenBy(() => prisma.category.create({ data: { name: 'NUL \u0000 inside' } }))).toBe(false);
    expect(await outageSeenBy(() => prisma.$readRows<object[]>(sql`SELECT ${'not a uuid'}::uuid AS id`))).toBe(false);
  });

  if (backend === 'postgres') {
    it('is an outage when the database refuses connections and drops its sessions, and no longer once it is back', async () => {
      const { prisma, databases } = suite;
      const config = databases.configs.catalog;
      if (config.kind !== 'postgres') throw new Error('expected PostgreSQL');
      const outage = await startDatabaseOutage(new URL(config.url).pathname.slice(1));
      try {
        expect(await outageSeenBy(() => prisma.category.count())).toBe(true);
        expect(await outageSeenBy(() => prisma.$transaction(async (tx) => tx.category.count()))).toBe(true);
        expect(await outageSeenBy(() => prisma.$readRows<object[]>(sql`SELECT count(*) FROM categories`))).toBe(true);
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
    expect(await outageSeenBy(() => prisma.$readRows<object[]>(sql`SELECT count(*) FROM categories`))).toBe(true);
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
