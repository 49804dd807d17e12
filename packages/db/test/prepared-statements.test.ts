import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrisma, migrationsDir } from '@shop/catalog';
import { createTestDatabases, testBackends, type TestDatabases } from '@shop/testing';
import { openDatabase } from '../src/index.js';
import { statementNames } from '../src/prepared-statements.js';

describe('statement names', () => {
  it('names each text by its content, and past the bound names none', () => {
    const nameOf = statementNames(2);
    const first = nameOf({ sql: 'SELECT 1' });
    expect(first).toMatch(/^s_[0-9a-f]{40}$/);
    expect(nameOf({ sql: 'SELECT 1' })).toBe(first);
    expect(statementNames(2)({ sql: 'SELECT 1' })).toBe(first);
    expect(nameOf({ sql: 'SELECT 2' })).not.toBe(first);
    expect(nameOf({ sql: 'SELECT 3' })).toBeUndefined();
    expect(nameOf({ sql: 'SELECT 1' })).toBe(first);
  });
});

// pg's pool hands sequential queries the connection released last, so the statements a
// client ran show in that connection's pg_prepared_statements.
describe.each(testBackends().filter((backend) => backend === 'postgres'))('prepared statements on %s', (backend) => {
  let databases: TestDatabases;
  beforeAll(async () => {
    databases = await createTestDatabases(backend);
  });
  afterAll(async () => {
    await databases?.drop();
  });

  const preparedAfterReads = async (preparedStatements: boolean) => {
    const config = databases.configs.catalog;
    if (config.kind !== 'postgres') throw new Error('a PostgreSQL database was expected');
    const database = await openDatabase({ ...config, preparedStatements });
    try {
      await database.migrate(migrationsDir);
      const prisma = createPrisma(database);
      for (let read = 0; read < 3; read++) expect(await prisma.category.findMany({ where: { name: `c${read}` } })).toEqual([]);
      const prepared = await prisma.$queryRaw<Array<{ statement: string }>>`SELECT statement FROM pg_prepared_statements`;
      await prisma.$disconnect();
      return prepared.map((row) => row.statement);
    } finally {
      await database.close();
    }
  };

  it('prepares each statement once per connection, and runs unnamed when told not to', async () => {
    const prepared = await preparedAfterReads(true);
    expect(prepared.filter((statement) => statement.includes('"categories"'))).toHaveLength(1);
    expect(prepared.some((statement) => statement.includes('pg_prepared_statements'))).toBe(true);
    expect(await preparedAfterReads(false)).toEqual([]);
  });
});
