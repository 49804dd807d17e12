import { describe, expect, it } from '@jest/globals';
import { createTestDatabases, testBackends } from '@shop/testing';
import pg from 'pg';
import { openDatabase } from '../src/index.js';

async function waitFor(condition: () => boolean) {
  for (let attempt = 0; !condition() && attempt < 100; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
}

// Only PostgreSQL drops connections under a running process (restart, failover, admin kill).
describe.each(testBackends().filter((backend) => backend === 'postgres'))('a connection the server drops (%s)', (backend) => {
  it('is reported and replaced, and does not end the process', async () => {
    const databases = await createTestDatabases(backend);
    const config = databases.configs.catalog;
    if (config.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const lost: Error[] = [];
    const database = await openDatabase(config, (error) => lost.push(error));
    try {
      expect(await database.ping()).toBe(true);
      const admin = new pg.Client({ connectionString: config.url });
      await admin.connect();
      const { rowCount } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await admin.end();
      expect(rowCount).toBeGreaterThan(0);

      await waitFor(() => lost.length > 0);
      expect(lost[0]?.message).toMatch(/terminating connection/);
      expect(await database.ping()).toBe(true);
    } finally {
      await database.close();
      await databases.drop();
    }
  });
});
