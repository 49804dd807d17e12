import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestDatabases, testBackends, type TestDatabases } from '@shop/testing';
import { openDatabase, type Database } from '../src/index.js';

async function writeMigration(dir: string, name: string, sql: string) {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

describe.each(testBackends())('the migration runner (%s)', (backend) => {
  let databases: TestDatabases;
  let database: Database;
  let dir: string;

  beforeEach(async () => {
    databases = await createTestDatabases(backend);
    database = await openDatabase(databases.configs.catalog);
    dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
    await writeMigration(dir, '20260101000000_init', 'CREATE TABLE widgets (id int PRIMARY KEY);');
  });
  afterEach(async () => {
    await database.close();
    await databases.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies pending migrations once, in order, with Prisma bookkeeping', async () => {
    await writeMigration(dir, '20260102000000_more', 'ALTER TABLE widgets ADD COLUMN name text;');
    expect(await database.migrate(dir)).toEqual(['20260101000000_init', '20260102000000_more']);
    expect(await database.migrate(dir)).toEqual([]);
    await writeMigration(dir, '20260103000000_later', 'CREATE INDEX widgets_name_idx ON widgets (name);');
    expect(await database.migrate(dir)).toEqual(['20260103000000_later']);
  });

  it('names the migrations a database lacks: all of them before any ran', async () => {
    await writeMigration(dir, '20260102000000_more', 'ALTER TABLE widgets ADD COLUMN name text;');
    const names = ['20260101000000_init', '20260102000000_more'];
    expect(await database.pendingMigrations(names)).toEqual(names);
    await database.migrate(dir);
    expect(await database.pendingMigrations(names)).toEqual([]);
    expect(await database.pendingMigrations([...names, '20260103000000_later'])).toEqual(['20260103000000_later']);
  });

  it('applies a failing migration not at all, and says which', async () => {
    await writeMigration(dir, '20260102000000_broken', 'CREATE TABLE gadgets (id int); SELECT no_such_function();');
    await expect(database.migrate(dir)).rejects.toThrow(/20260102000000_broken failed/);
    // The first migration landed; the broken one left neither a table nor a record.
    await writeMigration(dir, '20260102000000_broken', 'CREATE TABLE gadgets (id int);');
    expect(await database.migrate(dir)).toEqual(['20260102000000_broken']);
  });

  it('refuses a migration edited after it was applied', async () => {
    await database.migrate(dir);
    await writeMigration(dir, '20260101000000_init', 'CREATE TABLE widgets (id bigint PRIMARY KEY);');
    await expect(database.migrate(dir)).rejects.toThrow(/changed after it was applied/);
  });
});
