import { startCatalog, type CatalogPrisma } from '@shop/catalog';
import {
  demandControlSchema,
  loginRateLimitSchema,
  operationLimitsSchema,
  parseConfig,
  passwordResetSchema,
  registrationRateLimitSchema,
  corsSchema,
  subgraphFetchSchema,
  subgraphLimitsSchema,
  type AccessTokenConfig,
  type DemandControlConfig,
  type KeyRing,
  type LoginRateLimitConfig,
  type NatsConfig,
  type PasswordResetConfig,
  type RegistrationRateLimitConfig,
  type OperationLimits,
  gatewayMetricsSchema,
  gatewaySchema,
  type RedisConfig,
  type SubgraphLimits,
  type SubgraphName,
} from '@shop/config';
import { startGateway, type RunningGateway } from '@shop/gateway';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { createLogger } from '@shop/logging';
import { startOrders, type OrdersPrisma, type PlacementHooks, type RecoveryOptions } from '@shop/orders';
import { startUsers, type UsersPrisma } from '@shop/users';
import {
  type Backend,
  createTestDatabases,
  createTestRedis,
  dropTestStream,
  type GatewayProcess,
  type GraphQLRequest,
  natsAvailable,
  postGraphQL,
  startGatewayProcess,
  testKeyRing,
  testNatsConfig,
} from '@shop/testing';

/** Subgraphs a test may crash and start again (real PostgreSQL only: their data must outlive the process). */
export type RestartableSubgraph = 'catalog' | 'orders';

export interface TestSupergraph {
  backend: Backend;
  /** The stream events go through (PostgreSQL with TEST_NATS_URL: docs/adr/0030); null: the HTTP feeds. */
  nats: NatsConfig | null;
  gatewayUrl: string;
  users: RunningSubgraph<UsersPrisma>;
  catalog: RunningSubgraph<CatalogPrisma>;
  orders: RunningSubgraph<OrdersPrisma>;
  /** Its `subgraphClients` tell each subgraph's circuit state. */
  gateway: RunningGateway;
  /** The keys this supergraph trusts, for tests that forge or tamper with tokens. */
  gatewayKeys: KeyRing;
  tokens: AccessTokenConfig;
  /** Stops a subgraph at once, dropping its connections and whatever it was doing, as a crash would. */
  crash(name: RestartableSubgraph): Promise<void>;
  /** Starts a crashed subgraph again on the same port and database. */
  restart(name: RestartableSubgraph, options?: { recovery?: RecoveryOptions }): Promise<void>;
  /**
   * Another gateway instance on the same subgraphs and Redis (its own port, connections and
   * memory); `subgraphUrls` sends its fetches for some subgraphs elsewhere (a proxy in front of them),
   * `ownCache` names a cache of its own in that Redis (under the supergraph's prefix).
   */
  startAnotherGateway(options?: { subgraphUrls?: Partial<Record<SubgraphName, string>>; ownCache?: string; singleFetchPassthrough?: boolean }): Promise<RunningGateway>;
  /** Another gateway in a process of its own, configured as production configures it; stopped with the supergraph. */
  startGatewayProcess(options?: { env?: Record<string, string> }): Promise<GatewayProcess>;
  /** Sends one operation through the gateway over HTTP. */
  request<Data = Record<string, unknown>>(request: GraphQLRequest): ReturnType<typeof postGraphQL<Data>>;
  stop(): Promise<void>;
}

export interface TestSupergraphOptions {
  /** NODE_ENV=production behaviour at the gateway. */
  production?: boolean;
  loginRateLimit?: Partial<LoginRateLimitConfig>;
  /** Registrations per client address: lifted unless a test sets its own. */
  registrationRateLimit?: Partial<RegistrationRateLimitConfig>;
  /** Password reset requests per client address: lifted unless a test sets its own (per email as in production). */
  passwordReset?: Partial<PasswordResetConfig>;
  /** False: rate limits and caches in process even when TEST_REDIS_URL names a Redis. */
  sharedStores?: boolean;
  /** A Redis of the test's own (startOwnRedis) for every service, to stop or freeze, and its timeouts. */
  redis?: Partial<RedisConfig>;
  /** How soon the orders subgraph finishes orders a crash left half-way. */
  recovery?: RecoveryOptions;
  /** How long catalog holds stock for an order that does not confirm. */
  reservationTtlMs?: number;
  hooks?: PlacementHooks;
  /** The gateway's response cache (on unless turned off). */
  responseCache?: boolean;
  /** How long the gateway waits between reads of a drained event feed; a test that must see only a mutation's own purges makes it long. */
  cacheEventPollMs?: number;
  /** With NATS: how old an answer the gateway serves while it is not reading the stream up to date (production's default unless set). */
  cacheMaxAgeWithoutEventsMs?: number;
  /** The stream every service uses, on a NATS of the test's own (testNatsConfig(startOwnNats().url)); PostgreSQL only. */
  nats?: NatsConfig;
  /** How long the gateway reuses a verdict on a credential (production's default unless set). */
  credentialCacheMs?: number;
  /** What each subgraph refuses or stops on its own, over the production defaults. */
  subgraphLimits?: Partial<SubgraphLimits>;
  /** The gateway takes the client address from X-Forwarded-For, as behind a load balancer. */
  trustProxy?: boolean;
  /** The gateway's operation limits, over the production defaults. */
  operationLimits?: Partial<OperationLimits>;
  /** The gateway's demand control, over the production defaults. */
  demandControl?: Partial<Omit<DemandControlConfig, 'budgets'>> & { budgets?: Partial<DemandControlConfig['budgets']> };
}

const HOST = '127.0.0.1';
/** A test's transactions last milliseconds: its partners' sync need not wait production's SYNC_SETTLE_MS (10 s). */
export const TEST_SYNC_SETTLE_MS = 1_000;
const LIFTED_BUDGET = 1_000_000_000;

/**
 * The real thing on free ports: three subgraphs on fresh, migrated databases and the
 * gateway in front, all over HTTP, with keys of its own and Redis (when TEST_REDIS_URL is
 * set) under a prefix of its own. Tests put their own data in through the builders.
 */
export async function startTestSupergraph(backend: Backend, options: TestSupergraphOptions = {}): Promise<TestSupergraph> {
  const databases = await createTestDatabases(backend);
  const testRedis = createTestRedis({ shared: options.sharedStores ?? true });
  const redis = { ...testRedis, config: { ...testRedis.config, ...options.redis } };
  const gatewayKeys = testKeyRing();
  // Both event paths run: PostgreSQL (CI's backend of oneTestBackend) through a stream of the
  // run's own when there is NATS, PGlite (the embedded default) through the HTTP feeds.
  if (options.nats && backend !== 'postgres') throw new Error('The broker runs with PostgreSQL only (docs/adr/0030): use real PostgreSQL');
  const nats = options.nats ?? (backend === 'postgres' && natsAvailable ? testNatsConfig() : null);
  const tokens: AccessTokenConfig = { keys: testKeyRing(), accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 30 * 86_400 };
  const logger = (name: string) => createLogger(`test-${name}`, 'error');
  // Production's budgets are sized for people; a test sends requests faster than any. Tests of
  // the budgets set their own.
  const defaultDemandControl = parseConfig(demandControlSchema, {
    COST_BUDGET_ANONYMOUS: String(LIFTED_BUDGET),
    COST_BUDGET_USER: String(LIFTED_BUDGET),
    COST_BUDGET_ADMIN: String(LIFTED_BUDGET),
    COST_BUDGET_API_KEY: String(LIFTED_BUDGET),
  });
  const limits: SubgraphLimits = { ...parseConfig(subgraphLimitsSchema, {}), ...options.subgraphLimits };
  const common = { migrate: true, host: HOST, gatewayKeys, limits };
  const broker = { broker: nats };
  const startCatalogOn = (port: number) =>
    startCatalog({
      ...common,
      port,
      ...broker,
      database: databases.configs.catalog,
      seedDemoData: false,
      sweepIntervalMs: 200,
      reservationTtlMs: options.reservationTtlMs,
      syncSettleMs: TEST_SYNC_SETTLE_MS,
      logger: logger('catalog'),
    });
  const startOrdersOn = (port: number, catalogUrl: string, usersUrl: string, recovery = options.recovery) =>
    startOrders({
      ...common,
      ...broker,
      port,
      database: databases.configs.orders,
      catalogUrl,
      usersUrl,
      recovery,
      hooks: options.hooks,
      userEventPollMs: 50,
      logger: logger('orders'),
    });
  const [users, catalog] = await Promise.all([
    startUsers({
      ...common,
      port: 0,
      database: databases.configs.users,
      seedDemoData: false,
      tokens,
      loginRateLimit: { ...parseConfig(loginRateLimitSchema, { LOGIN_MAX_FAILURES_PER_CLIENT: '1000' }), ...options.loginRateLimit },
      registrationRateLimit: { ...parseConfig(registrationRateLimitSchema, { REGISTER_MAX_PER_CLIENT: '1000000' }), ...options.registrationRateLimit },
      passwordReset: { ...parseConfig(passwordResetSchema, { PASSWORD_RESET_MAX_PER_CLIENT: '1000000' }), ...options.passwordReset },
      redis: redis.config,
      ...broker,
      logger: logger('users'),
    }),
    startCatalogOn(0),
  ]);
  const orders = await startOrdersOn(0, catalog.url, users.url);
  // Restarted subgraphs come back on their ports: these stay right.
  const subgraphUrls = { users: users.url, catalog: catalog.url, orders: orders.url };
  const startGatewayInstance = (urls = subgraphUrls, keyPrefix = redis.config.keyPrefix, singleFetchPassthrough = true) =>
    startGateway({
      host: HOST,
      port: 0,
      subgraphUrls: urls,
      subgraphFetch: parseConfig(subgraphFetchSchema, {}),
      trustProxy: options.trustProxy ?? false,
      production: options.production ?? false,
      cors: parseConfig(corsSchema, {}),
      gatewayKeys,
      redis: { ...redis.config, keyPrefix },
      responseCache: {
        enabled: options.responseCache ?? true,
        memoryBytes: 64 * 1024 * 1024,
        eventPollMs: options.cacheEventPollMs ?? 50,
        maxAgeWithoutEventsMs: options.cacheMaxAgeWithoutEventsMs ?? parseConfig(gatewaySchema, {}).responseCache.maxAgeWithoutEventsMs,
      },
      nats,
      credentialCacheMs: options.credentialCacheMs ?? parseConfig(gatewaySchema, {}).credentialCacheMs,
      singleFetchPassthrough,
      operationLimits: { ...parseConfig(operationLimitsSchema, {}), ...options.operationLimits },
      demandControl: {
        ...defaultDemandControl,
        ...options.demandControl,
        budgets: { ...defaultDemandControl.budgets, ...options.demandControl?.budgets },
      },
      metrics: parseConfig(gatewayMetricsSchema, { METRICS_PORT: '0', HOST }),
      logger: logger('gateway'),
    });
  const gateway = await startGatewayInstance();
  const moreGateways: Array<{ stop(): Promise<void> }> = [];
  const supergraph: TestSupergraph = {
    backend,
    nats,
    gatewayUrl: gateway.url,
    users,
    catalog,
    orders,
    gateway,
    gatewayKeys,
    tokens,
    crash: (name) => supergraph[name].stop(),
    restart: async (name, restartOptions) => {
      if (backend !== 'postgres') throw new Error('Restarting a subgraph needs a database that outlives it: use real PostgreSQL');
      if (name === 'catalog') supergraph.catalog = await startCatalogOn(supergraph.catalog.port);
      else supergraph.orders = await startOrdersOn(supergraph.orders.port, supergraph.catalog.url, supergraph.users.url, restartOptions?.recovery ?? options.recovery);
    },
    startAnotherGateway: async (anotherOptions) => {
      const another = await startGatewayInstance(
        { ...subgraphUrls, ...anotherOptions?.subgraphUrls },
        anotherOptions?.ownCache ? `${redis.config.keyPrefix}${anotherOptions.ownCache}:` : undefined,
        anotherOptions?.singleFetchPassthrough,
      );
      moreGateways.push(another);
      return another;
    },
    startGatewayProcess: async (processOptions) => {
      const another = await startGatewayProcess({ subgraphUrls, gatewayKeys, redis: redis.config, nats, eventPollMs: 50, env: processOptions?.env });
      moreGateways.push(another);
      return another;
    },
    request: (request) => postGraphQL(gateway.url, request),
    stop: async () => {
      await Promise.all([gateway, ...moreGateways].map((instance) => instance.stop()));
      await Promise.all([supergraph.users.stop(), supergraph.catalog.stop(), supergraph.orders.stop()]);
      await Promise.all([databases.drop(), redis.drop(), nats && dropTestStream(nats)]);
    },
  };
  return supergraph;
}
