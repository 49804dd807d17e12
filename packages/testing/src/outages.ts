import pg from 'pg';
import { testConfig } from './test-config.js';

const TERMINATION_MS = 5_000;

export interface DatabaseOutage {
  /** Lets connections in again; a pool reconnects on its next statement. */
  end(): Promise<void>;
}

/**
 * Takes a database of the test server away as a server going down does, without stopping
 * whoever uses it: it refuses new connections and drops the ones it has (real PostgreSQL only).
 */
export async function startDatabaseOutage(database: string): Promise<DatabaseOutage> {
  if (!testConfig.postgresUrl) throw new Error('A database outage needs real PostgreSQL (TEST_POSTGRES_URL)');
  const server = new pg.Client({ connectionString: testConfig.postgresUrl });
  await server.connect();
  const end = async () => {
    try {
      await server.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
    } finally {
      await server.end();
    }
  };
  try {
    await server.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    // Termination is a signal: the outage has begun once the last session has ended.
    const deadline = Date.now() + TERMINATION_MS;
    while ((await server.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1', [database])).rowCount !== 0) {
      if (Date.now() > deadline) throw new Error(`sessions of ${database} outlived their termination`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    await end();
    throw error;
  }
  return { end };
}
