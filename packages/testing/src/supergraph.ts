import { startCatalog, type CatalogPrisma } from '@shop/catalog';
import type { AccessTokenConfig, KeyRing, LoginRateLimitConfig } from '@shop/config';
import { startGateway } from '@shop/gateway';
import type { RunningHttpServer, RunningSubgraph } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startOrders, type OrdersPrisma } from '@shop/orders';
import { startUsers, type UsersPrisma } from '@shop/users';
import { postGraphQL, type GraphQLRequest } from './client.js';
import { createTestDatabases, type Backend } from './databases.js';
import { testKeyRing } from './keys.js';
import { createTestRedis } from './redis.js';

export interface TestSupergraph {
  backend: Backend;
  gatewayUrl: string;
  users: RunningSubgraph<UsersPrisma>;
  catalog: RunningSubgraph<CatalogPrisma>;
  orders: RunningSubgraph<OrdersPrisma>;
  gateway: RunningHttpServer;
  /** The keys this supergraph trusts, for tests that forge or tamper with tokens. */
  gatewayKeys: KeyRing;
  tokens: AccessTokenConfig;
  /** Sends one operation through the gateway over HTTP. */
  request<Data = Record<string, unknown>>(request: GraphQLRequest): ReturnType<typeof postGraphQL<Data>>;
  stop(): Promise<void>;
}

export interface TestSupergraphOptions {
  /** NODE_ENV=production behaviour at the gateway. */
  production?: boolean;
  loginRateLimit?: Partial<LoginRateLimitConfig>;
}

const HOST = '127.0.0.1';

/**
 * The real thing on free ports: three subgraphs on fresh, migrated databases and the
 * gateway in front, all over HTTP, with keys of its own and Redis (when TEST_REDIS_URL is
 * set) under a prefix of its own. Tests put their own data in through the builders.
 */
export async function startTestSupergraph(backend: Backend, options: TestSupergraphOptions = {}): Promise<TestSupergraph> {
  const databases = await createTestDatabases(backend);
  const redis = createTestRedis();
  const gatewayKeys = testKeyRing();
  const tokens: AccessTokenConfig = { keys: testKeyRing(), accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 30 * 86_400 };
  const logger = (name: string) => createLogger(`test-${name}`, 'error');
  const common = { migrate: true, host: HOST, port: 0, gatewayKeys };
  const [users, catalog, orders] = await Promise.all([
    startUsers({
      ...common,
      database: databases.configs.users,
      seed: null,
      tokens,
      loginRateLimit: { maxFailuresPerAccount: 5, maxFailuresPerClient: 1_000, windowSeconds: 900, ...options.loginRateLimit },
      redis: redis.config,
      logger: logger('users'),
    }),
    startCatalog({ ...common, database: databases.configs.catalog, seedDemoData: false, logger: logger('catalog') }),
    startOrders({ ...common, database: databases.configs.orders, logger: logger('orders') }),
  ]);
  const gateway = await startGateway({
    host: HOST,
    port: 0,
    subgraphUrls: { users: users.url, catalog: catalog.url, orders: orders.url },
    trustProxy: false,
    production: options.production ?? false,
    gatewayKeys,
    logger: logger('gateway'),
  });
  return {
    backend,
    gatewayUrl: gateway.url,
    users,
    catalog,
    orders,
    gateway,
    gatewayKeys,
    tokens,
    request: (request) => postGraphQL(gateway.url, request),
    stop: async () => {
      await gateway.stop();
      await Promise.all([users.stop(), catalog.stop(), orders.stop()]);
      await Promise.all([databases.drop(), redis.drop()]);
    },
  };
}
