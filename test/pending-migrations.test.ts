import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DatabaseConfig } from '@shop/config';
import { migrationNames, openDatabase } from '@shop/db';
import { createTestDatabases, startServiceProcess, testBackends, type TestDatabases } from '@shop/testing';
import { migrationsDir } from '@shop/users';

const describeOnPostgres = testBackends().includes('postgres') ? describe : describe.skip;

/** A database migrated as an older release left it: every migration but the last. */
async function migrateAllButLast(config: DatabaseConfig): Promise<string> {
  const names = await migrationNames(migrationsDir);
  const older = await mkdtemp(path.join(tmpdir(), 'older-migrations-'));
  const database = await openDatabase(config);
  try {
    for (const name of names.slice(0, -1)) await cp(path.join(migrationsDir, name), path.join(older, name), { recursive: true });
    await database.migrate(older);
  } finally {
    await database.close();
    await rm(older, { recursive: true, force: true });
  }
  return names.at(-1)!;
}

describeOnPostgres('a subgraph on PostgreSQL with a migration pending', () => {
  let databases: TestDatabases;
  let pending: string;
  let databaseUrl: URL;

  beforeAll(async () => {
    databases = await createTestDatabases('postgres');
    pending = await migrateAllButLast(databases.configs.users);
    const config = databases.configs.users;
    if (config.kind !== 'postgres') throw new Error('PostgreSQL expected');
    databaseUrl = new URL(config.url);
    // The test server trusts local connections: the password is there only to be kept out of sight.
    databaseUrl.password = 'never-printed-secret';
  });
  afterAll(() => databases?.drop());

  it('refuses to start, exiting 1 with the database, the migration and the command to run, never the password', async () => {
    const started = startServiceProcess({ service: 'users', env: { USERS_PORT: '0', USERS_DATABASE_URL: databaseUrl.toString() } });
    const refusal = await started.then(
      () => null,
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/^users process exited with 1:/);
    expect(refusal).toContain(`The users database (PostgreSQL at ${databaseUrl.host}${databaseUrl.pathname}) lacks 1 migration(s): ${pending}.`);
    expect(refusal).toContain('npm run db:migrate');
    expect(refusal).not.toContain('never-printed-secret');
    expect(refusal).not.toContain('subgraph ready');
  });

  it('applies it at start when MIGRATE_ON_START=true, then is ready', async () => {
    const users = await startServiceProcess({
      service: 'users',
      env: { USERS_PORT: '0', USERS_DATABASE_URL: databaseUrl.toString(), MIGRATE_ON_START: 'true' },
    });
    try {
      expect(users.output()).toContain(pending);
      const ready = await fetch(new URL('/ready', users.url));
      expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'up', migrations: 'applied' } });
    } finally {
      await users.stop();
    }
  });
});
