import { describe, expect, it } from '@jest/globals';
import { ConfigError, databaseSchema, gatewaySchema, loadConfig, seedSchema, subgraphServerSchema } from '../src/index.js';

describe('configuration', () => {
  it('defaults to the embedded database and the standard ports', () => {
    const config = loadConfig(
      { database: databaseSchema('catalog'), server: subgraphServerSchema('catalog'), gateway: gatewaySchema },
      {},
    );
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '.data/catalog' });
    expect(config.server).toEqual({ port: 4002, host: '127.0.0.1' });
    expect(config.gateway.port).toBe(4000);
    expect(config.gateway.subgraphUrls.orders).toBe('http://127.0.0.1:4003/graphql');
  });

  it('selects real PostgreSQL by URL, per subgraph', () => {
    const env = { USERS_DATABASE_URL: 'postgres://u:p@db:5432/users' };
    expect(loadConfig({ users: databaseSchema('users'), orders: databaseSchema('orders') }, env)).toEqual({
      users: { kind: 'postgres', url: 'postgres://u:p@db:5432/users' },
      orders: { kind: 'pglite', dataDir: '.data/orders' },
    });
  });

  it('lists every problem at once', () => {
    const env = {
      CATALOG_DATABASE_URL: 'mysql://nope',
      CATALOG_PORT: 'eighty',
      SEED_ADMIN_EMAIL: 'not-an-email',
      SEED_ADMIN_PASSWORD: 'short',
    };
    let error: unknown;
    try {
      loadConfig({ database: databaseSchema('catalog'), server: subgraphServerSchema('catalog'), seed: seedSchema }, env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['CATALOG_DATABASE_URL', 'CATALOG_PORT', 'SEED_ADMIN_EMAIL', 'SEED_ADMIN_PASSWORD']) {
      expect(problems).toContain(key);
    }
  });
});
