import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlRunner } from './sql-runner.js';

/*
 * Applies Prisma Migrate migrations (migrations/<name>/migration.sql) without Prisma's
 * native schema engine, which cannot be downloaded here. It keeps Prisma's bookkeeping
 * table and checksums, so `prisma migrate deploy` and `migrate status` agree with it
 * wherever the engine exists. See docs/adr/0002-offline-prisma.md.
 */

// The same lock key Prisma Migrate takes, so this runner and `prisma migrate deploy`
// never run at once against one database.
const MIGRATION_LOCK_KEY = 72707369;

const createBookkeepingTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const checksumOf = (script: string) => createHash('sha256').update(script).digest('hex');

/** The migrations of a Prisma Migrate folder, by name, in the order they apply. */
export async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function readMigrations(dir: string) {
  const names = await migrationNames(dir);
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: checksumOf(script) };
    }),
  );
}

/** Applies every pending migration in order; returns the names it applied. */
export async function applyMigrations(runner: SqlRunner, migrationsDir: string): Promise<string[]> {
  const migrations = await readMigrations(migrationsDir);
  await runner.exec(createBookkeepingTable);
  await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    const rows = await runner.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    const failed = rows.find((row) => row.finished_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and needs a manual fix (see prisma migrate resolve)`,
      );
    }
    for (const [name, row] of applied) {
      const local = migrations.find((migration) => migration.name === name);
      if (local && local.checksum !== row.checksum) {
        throw new MigrationError(`migration ${name} was changed after it was applied`);
      }
    }
    const pending = migrations.filter((migration) => !applied.has(migration.name));
    for (const migration of pending) {
      const id = randomUUID();
      await runner.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
        [id, migration.checksum, migration.name],
      );
      // Postgres DDL is transactional: a migration lands whole or not at all.
      await runner.exec(`BEGIN;\n${migration.script}\n;COMMIT;`).catch(async (error: unknown) => {
        await runner.exec('ROLLBACK').catch(() => undefined);
        await runner.query('DELETE FROM "_prisma_migrations" WHERE id = $1', [id]);
        throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
      });
      await runner.query(
        'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
        [id],
      );
    }
    return pending.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

/** Which of `names` the database has not finished applying: all of them on a database never migrated. */
export async function pendingMigrations(runner: SqlRunner, names: readonly string[]): Promise<string[]> {
  const [bookkeeping] = await runner.query<{ present: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  if (!bookkeeping?.present) return [...names];
  const rows = await runner.query<{ migration_name: string }>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const applied = new Set(rows.map((row) => row.migration_name));
  return names.filter((name) => !applied.has(name));
}
