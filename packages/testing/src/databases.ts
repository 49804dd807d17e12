import { randomBytes } from 'node:crypto';
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

/** Fresh databases for one test file: in-memory PGlite, or uniquely named PostgreSQL databases dropped after. */
export async function createTestDatabases(backend: Backend): Promise<TestDatabases> {
  if (backend === 'pglite') {
    const config: DatabaseConfig = { kind: 'pglite', dataDir: null };
    return { configs: { users: config, catalog: config, orders: config }, drop: async () => undefined };
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
