import { describe, expect, it } from '@jest/globals';
import {
  accessTokenSchema,
  adminSchema,
  ConfigError,
  corsSchema,
  databaseSchema,
  demandControlSchema,
  gatewaySchema,
  gatewayTokenSchema,
  loadConfig,
  loginRateLimitSchema,
  natsSchema,
  operationLimitsSchema,
  publishedSecrets,
  redisSchema,
  seedSchema,
  subgraphLimitsSchema,
  subgraphServerSchema,
  subgraphUrlsSchema,
} from '../src/index.js';

describe('configuration', () => {
  it('defaults to the embedded database and the standard ports', () => {
    const config = loadConfig(
      { database: databaseSchema('catalog'), server: subgraphServerSchema('catalog'), gateway: gatewaySchema, urls: subgraphUrlsSchema },
      {},
    );
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '.data/catalog' });
    expect(config.server).toEqual({ port: 4002, host: '127.0.0.1' });
    expect(config.gateway.port).toBe(4000);
    expect(config.urls.orders).toBe('http://127.0.0.1:4003/graphql');
    expect(config.gateway.credentialCacheMs).toBe(5_000);
  });

  it('takes how long the gateway reuses a verdict on a credential, within bounds', () => {
    expect(loadConfig({ gateway: gatewaySchema }, { CREDENTIAL_CACHE_MS: '1000' }).gateway.credentialCacheMs).toBe(1_000);
    for (const outOfBounds of ['0', '99', '60001', 'soon']) {
      expect(() => loadConfig({ gateway: gatewaySchema }, { CREDENTIAL_CACHE_MS: outOfBounds })).toThrow(/CREDENTIAL_CACHE_MS/);
    }
  });

  it('selects real PostgreSQL by URL, per subgraph', () => {
    const env = { USERS_DATABASE_URL: 'postgres://u:p@db:5432/users' };
    expect(loadConfig({ users: databaseSchema('users'), orders: databaseSchema('orders') }, env)).toEqual({
      users: { kind: 'postgres', url: 'postgres://u:p@db:5432/users', preparedStatements: true },
      orders: { kind: 'pglite', dataDir: '.data/orders' },
    });
  });

  it('prepares statements on PostgreSQL unless told not to (a pooler that cannot keep them)', () => {
    const env = { USERS_DATABASE_URL: 'postgres://u:p@db:5432/users', DATABASE_PREPARED_STATEMENTS: 'false' };
    expect(loadConfig({ users: databaseSchema('users') }, env).users).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/users', preparedStatements: false });
    expect(() => loadConfig({ users: databaseSchema('users') }, { ...env, DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('bounds the wait for a transaction to start when told, and leaves it to the engine otherwise', () => {
    const env = { USERS_DATABASE_URL: 'postgres://u:p@db:5432/users', DATABASE_TRANSACTION_WAIT_MS: '1500' };
    expect(loadConfig({ users: databaseSchema('users'), orders: databaseSchema('orders') }, env)).toEqual({
      users: { kind: 'postgres', url: 'postgres://u:p@db:5432/users', preparedStatements: true, transactionWaitMs: 1500 },
      orders: { kind: 'pglite', dataDir: '.data/orders', transactionWaitMs: 1500 },
    });
    expect(loadConfig({ users: databaseSchema('users') }, {}).users).not.toHaveProperty('transactionWaitMs');
    expect(() => loadConfig({ users: databaseSchema('users') }, { DATABASE_TRANSACTION_WAIT_MS: '0' })).toThrow(/DATABASE_TRANSACTION_WAIT_MS/);
  });

  it('lists every problem at once', () => {
    const env = {
      CATALOG_DATABASE_URL: 'mysql://nope',
      CATALOG_PORT: 'eighty',
      ADMIN_EMAIL: 'not-an-email',
      ADMIN_PASSWORD: 'short',
    };
    let error: unknown;
    try {
      loadConfig({ database: databaseSchema('catalog'), server: subgraphServerSchema('catalog'), admin: adminSchema }, env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['CATALOG_DATABASE_URL', 'CATALOG_PORT', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']) {
      expect(problems).toContain(key);
    }
  });

  describe('demo data and the first admin', () => {
    const problemsOf = (load: () => unknown) => {
      try {
        load();
      } catch (error) {
        if (error instanceof ConfigError) return error.problems.join('\n');
        throw error;
      }
      return '';
    };

    it('loads demo data by default in development, never in production, where asking for it is refused', () => {
      expect(loadConfig({ seed: seedSchema }, {}).seed).toEqual({ demoData: true });
      expect(loadConfig({ seed: seedSchema }, { SEED_DEMO_DATA: 'false' }).seed).toEqual({ demoData: false });
      expect(loadConfig({ seed: seedSchema }, { NODE_ENV: 'production' }).seed).toEqual({ demoData: false });
      expect(problemsOf(() => loadConfig({ seed: seedSchema }, { NODE_ENV: 'production', SEED_DEMO_DATA: 'true' }))).toMatch(/SEED_DEMO_DATA: .*published passwords/);
    });

    it('refuses the retired seeded-admin variables, naming the command that replaced them', () => {
      const problems = problemsOf(() => loadConfig({ seed: seedSchema }, { SEED_ADMIN_EMAIL: 'a@b.c', SEED_ADMIN_PASSWORD: 'long-enough-password' }));
      expect(problems).toMatch(/SEED_ADMIN_EMAIL: .*admin:create/);
      expect(problems).toMatch(/SEED_ADMIN_PASSWORD: .*admin:create/);
    });

    it('takes the admin from ADMIN_EMAIL and ADMIN_PASSWORD, the email lower-cased', () => {
      expect(loadConfig({ admin: adminSchema }, { ADMIN_EMAIL: 'Ops@Shop.Example', ADMIN_PASSWORD: 'twelve-chars' }).admin).toEqual({
        email: 'ops@shop.example',
        password: 'twelve-chars',
      });
      expect(problemsOf(() => loadConfig({ admin: adminSchema }, { ADMIN_EMAIL: 'ops@shop.example' }))).toMatch(/ADMIN_PASSWORD: .*standard input/);
    });
  });

  describe('CORS origins', () => {
    it('allows loopback origins in development and none in production by default', () => {
      expect(loadConfig({ cors: corsSchema }, {}).cors).toEqual({ origins: new Set(), loopback: true });
      expect(loadConfig({ cors: corsSchema }, { NODE_ENV: 'production' }).cors).toEqual({ origins: new Set(), loopback: false });
    });

    it('allows exactly the origins listed, and refuses anything that is not an origin', () => {
      const env = { NODE_ENV: 'production', CORS_ORIGINS: 'https://shop.example, http://localhost:3000' };
      expect(loadConfig({ cors: corsSchema }, env).cors).toEqual({ origins: new Set(['https://shop.example', 'http://localhost:3000']), loopback: false });
      expect(() => loadConfig({ cors: corsSchema }, { CORS_ORIGINS: 'https://shop.example/,*' })).toThrow(/"https:\/\/shop.example\/" is not an origin[\s\S]*"\*" is not an origin/);
    });
  });

  describe('signing keys', () => {
    const secret = (fill: string) => fill.repeat(32);

    it('signs with the first key and verifies with all of them (rotation)', () => {
      const { gatewayKeys } = loadConfig({ gatewayKeys: gatewayTokenSchema }, { GATEWAY_TOKEN_KEYS: `new:${secret('n')}, old:${secret('o')}` });
      expect(gatewayKeys.signing.kid).toBe('new');
      expect([...gatewayKeys.verifying.keys()]).toEqual(['new', 'old']);
    });

    it('has development defaults, but production refuses to start without its own keys', () => {
      expect(loadConfig({ tokens: accessTokenSchema }, {}).tokens.keys.signing.kid).toMatch(/^dev-/);
      expect(() => loadConfig({ tokens: accessTokenSchema, gatewayKeys: gatewayTokenSchema }, { NODE_ENV: 'production' })).toThrow(
        /ACCESS_TOKEN_KEYS: is required in production[\s\S]*GATEWAY_TOKEN_KEYS: is required in production/,
      );
    });

    it('refuses every secret published in this repository wherever others can reach the service, naming the key', () => {
      for (const published of publishedSecrets) {
        for (const env of [{ NODE_ENV: 'production' }, { HOST: '0.0.0.0' }]) {
          expect(() => loadConfig({ gatewayKeys: gatewayTokenSchema }, { ...env, GATEWAY_TOKEN_KEYS: `new:${secret('n')},old:${published}` })).toThrow(
            /GATEWAY_TOKEN_KEYS: key "old" uses a secret published in this repository.*openssl rand/,
          );
        }
      }
      // On this machine, in development, the published defaults are what npm start runs on.
      expect(loadConfig({ gatewayKeys: gatewayTokenSchema }, { HOST: '127.0.0.1' }).gatewayKeys.signing.kid).toBe('dev-gateway-1');
      expect(() => loadConfig({ tokens: accessTokenSchema }, { HOST: '0.0.0.0' })).toThrow(/ACCESS_TOKEN_KEYS: is required when listening beyond this machine \(HOST=0\.0\.0\.0\)/);
    });

    it('refuses short secrets and malformed entries', () => {
      expect(() => loadConfig({ gatewayKeys: gatewayTokenSchema }, { GATEWAY_TOKEN_KEYS: 'k1:too-short' })).toThrow(/at least 32 bytes/);
      expect(() => loadConfig({ gatewayKeys: gatewayTokenSchema }, { GATEWAY_TOKEN_KEYS: secret('x') })).toThrow(/kid:secret/);
    });

    it('reads token lifetimes within bounds', () => {
      expect(loadConfig({ tokens: accessTokenSchema }, { ACCESS_TOKEN_TTL_SECONDS: '600' }).tokens.accessTokenTtlSeconds).toBe(600);
      expect(() => loadConfig({ tokens: accessTokenSchema }, { ACCESS_TOKEN_TTL_SECONDS: '86400' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS/);
    });
  });

  it('reads operation limits, demand control and subgraph limits, listing every bad value', () => {
    const config = loadConfig(
      { limits: operationLimitsSchema, cost: demandControlSchema, subgraph: subgraphLimitsSchema },
      { OPERATION_MAX_DEPTH: '12', COST_MODE: 'measure', COST_BUDGET_API_KEY: '5', SUBGRAPH_MAX_ROWS_PER_REQUEST: '1000' },
    );
    expect(config.limits).toEqual({ maxDepth: 12, maxAliases: 15, maxRootFields: 10, maxDirectives: 50, maxTokens: 1000, maxVariablesBytes: 65536 });
    expect(config.cost).toEqual({
      mode: 'measure',
      maxCost: 50_000,
      defaultListSize: 100,
      budgets: { windowSeconds: 10, anonymous: 10_000, user: 100_000, admin: 500_000, apiKey: 5 },
    });
    expect(config.subgraph).toEqual({ maxDepth: 15, maxTokens: 5000, maxRowsPerRequest: 1000 });
    let error: unknown;
    try {
      loadConfig({ limits: operationLimitsSchema, cost: demandControlSchema }, { OPERATION_MAX_DEPTH: '0', COST_MODE: 'strict', COST_MAX: 'lots' });
    } catch (caught) {
      error = caught;
    }
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['OPERATION_MAX_DEPTH', 'COST_MODE', 'COST_MAX']) expect(problems).toContain(key);
  });

  it('uses Redis only when REDIS_URL is set', () => {
    expect(loadConfig({ redis: redisSchema }, {}).redis).toEqual({ url: null, keyPrefix: 'shop:', commandTimeoutMs: 150, connectTimeoutMs: 500 });
    expect(loadConfig({ redis: redisSchema }, { REDIS_URL: 'redis://cache:6379' }).redis.url).toBe('redis://cache:6379');
    expect(() => loadConfig({ redis: redisSchema }, { REDIS_URL: 'http://cache' })).toThrow(/REDIS_URL/);
  });

  it('relays events to NATS only when NATS_URL is set, on the contract\'s stream unless told another', () => {
    expect(loadConfig({ nats: natsSchema }, {}).nats).toBeNull();
    expect(loadConfig({ nats: natsSchema }, { NATS_URL: 'nats://broker-1:4222, nats://broker-2:4222' }).nats).toEqual({
      servers: ['nats://broker-1:4222', 'nats://broker-2:4222'],
      stream: null,
      subjectPrefix: null,
      connectTimeoutMs: 2_000,
      publishTimeoutMs: 2_000,
    });
    expect(loadConfig({ nats: natsSchema }, { NATS_URL: 'tls://broker:4222', NATS_STREAM: 'STAGING_EVENTS', NATS_SUBJECT_PREFIX: 'staging.shop' }).nats).toMatchObject({
      stream: 'STAGING_EVENTS',
      subjectPrefix: 'staging.shop',
    });
    expect(() => loadConfig({ nats: natsSchema }, { NATS_URL: 'http://broker:4222' })).toThrow(/NATS_URL.*not a NATS server URL/);
    expect(() => loadConfig({ nats: natsSchema }, { NATS_URL: 'nats://broker:4222', NATS_STREAM: 'shop.events' })).toThrow(/NATS_STREAM/);
    expect(() => loadConfig({ nats: natsSchema }, { NATS_URL: 'nats://broker:4222', NATS_SUBJECT_PREFIX: 'shop.>' })).toThrow(/NATS_SUBJECT_PREFIX/);
  });

  it('reads sign-in limits, and refuses the retired LOGIN_MAX_FAILURES_PER_ACCOUNT rather than ignore it', () => {
    expect(loadConfig({ login: loginRateLimitSchema }, { LOGIN_ACCOUNT_SLOWDOWN_AFTER: '20' }).login).toEqual({
      maxFailuresPerAccountAndClient: 5,
      maxFailuresPerClient: 30,
      windowSeconds: 900,
      accountSlowdownAfter: 20,
      accountWindowSeconds: 86_400,
      accountMaxDelaySeconds: 900,
    });
    expect(() => loadConfig({ login: loginRateLimitSchema }, { LOGIN_MAX_FAILURES_PER_ACCOUNT: '5' })).toThrow(
      /LOGIN_MAX_FAILURES_PER_ACCOUNT: was replaced by LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT/,
    );
  });
});
