import { randomBytes } from 'node:crypto';
import { access, copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { subgraphNames, type DatabaseConfig, type SubgraphName } from '@shop/config';
import { testConfig } from './test-config.js';

export type Backend = 'pglite' | 'postgres';

/**
 * PGlite always (what a newcomer runs); real PostgreSQL too when TEST_POSTGRES_URL is set,
 * which CI requires.
 */
export function testBackends(): Backend[] {
  return testConfig.postgresUrl ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * The one database for suites whose behaviour does not depend on the database engine (the
 * gateway's credentials, limits, cache and access rules): real PostgreSQL when there is one,
 * as production runs, PGlite otherwise. Suites of the data paths run on every backend
 * (docs/adr/0029).
 */
export function oneTestBackend(): Backend {
  return testBackends().at(-1)!;
}

export interface TestDatabases {
  configs: Record<SubgraphName, DatabaseConfig>;
  drop(): Promise<void>;
}

async function withAdminClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testConfig.postgresUrl! });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const exists = (file: string) => access(file).then(() => true, () => false);

/** A data directory is opened only by the PGlite version that made it. */
async function pgliteVersion(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite'); // <package>/dist/index.cjs
  return (JSON.parse(await readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * An initialised, empty PGlite data directory, made once per PGlite version in the system's
 * temporary directory and copied for each test database: initdb is most of a PGlite's start
 * (5-10 s on a busy machine), opening a copy of its result about 2 s. Made aside and renamed
 * into place, so that workers racing to make it never use half of one.
 */
async function pgliteTemplate(): Promise<string> {
  const template = path.join(tmpdir(), `shop-test-pglite-${await pgliteVersion()}`);
  if (await exists(template)) return template;
  const making = `${template}.${randomBytes(6).toString('hex')}`;
  await mkdir(making, { recursive: true });
  const db = await PGlite.create(making);
  await db.close();
  await rename(making, template).catch(async (error: unknown) => {
    await rm(making, { recursive: true, force: true });
    // Another worker renamed its own first: that one serves as well.
    if (!(await exists(template))) throw error;
  });
  return template;
}

/** Copies a data directory's thousand small files at once (fs.cp copies them one by one, several times slower). */
async function copyTree(from: string, to: string) {
  const entries = await readdir(from, { recursive: true, withFileTypes: true });
  const target = (entry: (typeof entries)[number]) => path.join(to, path.relative(from, path.join(entry.parentPath, entry.name)));
  await mkdir(to, { recursive: true });
  for (const entry of entries.filter((each) => each.isDirectory())) await mkdir(target(entry), { recursive: true });
  await Promise.all(entries.filter((each) => each.isFile()).map((entry) => copyFile(path.join(entry.parentPath, entry.name), target(entry))));
}

export interface TestPglite {
  config: DatabaseConfig;
  /** Removes its files; call once the subgraph using it has stopped. */
  drop(): Promise<void>;
}

/** A fresh PGlite database of its own on disk, not yet migrated, copied from an initialised one. */
export async function createTestPglite(): Promise<TestPglite> {
  const dataDir = path.join(tmpdir(), `shop-test-pglite-db-${randomBytes(6).toString('hex')}`);
  await copyTree(await pgliteTemplate(), dataDir);
  return { config: { kind: 'pglite', dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
}

/** Fresh databases for one test file: PGlite databases of their own, or uniquely named PostgreSQL databases; both dropped after. */
export async function createTestDatabases(backend: Backend): Promise<TestDatabases> {
  if (backend === 'pglite') {
    const databases = await Promise.all(subgraphNames.map(async (name) => [name, await createTestPglite()] as const));
    return {
      configs: Object.fromEntries(databases.map(([name, database]) => [name, database.config])) as Record<SubgraphName, DatabaseConfig>,
      drop: async () => {
        await Promise.all(databases.map(([, database]) => database.drop()));
      },
    };
  }
  if (!testConfig.postgresUrl) throw new Error('TEST_POSTGRES_URL is not set');
  const runId = randomBytes(6).toString('hex');
  const names = Object.fromEntries(subgraphNames.map((name) => [name, `test_${runId}_${name}`])) as Record<SubgraphName, string>;
  await withAdminClient(async (client) => {
    for (const name of Object.values(names)) await client.query(`CREATE DATABASE "${name}"`);
  });
  const urlOf = (database: string) => {
    const url = new URL(testConfig.postgresUrl!);
    url.pathname = `/${database}`;
    return url.toString();
  };
  return {
    configs: Object.fromEntries(
      subgraphNames.map((name) => [name, { kind: 'postgres', url: urlOf(names[name]) }]),
    ) as Record<SubgraphName, DatabaseConfig>,
    drop: () =>
      withAdminClient(async (client) => {
        for (const name of Object.values(names)) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}
