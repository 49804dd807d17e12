import { z } from 'zod';
import { parseRedisUrl } from './redis-url.js';

export type SubgraphName = 'users' | 'catalog' | 'orders';
export const subgraphNames: readonly SubgraphName[] = ['users', 'catalog', 'orders'];

const defaultPorts: Record<SubgraphName, number> = { users: 4001, catalog: 4002, orders: 4003 };

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

export const runtimeSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** One access line per request on every service (docs/adr/0022); LOG_LEVEL above info silences them too. */
export const accessLogSchema = z.object({ ACCESS_LOG: booleanFlag(true) }).transform((env) => env.ACCESS_LOG);

/**
 * transactionWaitMs: how long a transaction may wait to start (for a pooled connection, or on
 * PGlite behind the transaction running) before its request answers SERVICE_UNAVAILABLE;
 * unset, @shop/db's default for the engine.
 */
export type DatabaseConfig = (
  /**
   * preparedStatements (default true): each statement text is prepared once per connection,
   * so PostgreSQL parses and plans it once (docs/adr/0040). Off behind a pooler that cannot
   * keep prepared statements (PgBouncer in transaction mode before 1.21).
   */
  | { kind: 'postgres'; url: string; preparedStatements?: boolean }
  /** dataDir null keeps the embedded database in memory (tests). */
  | { kind: 'pglite'; dataDir: string | null }
) & { transactionWaitMs?: number };

/** A real PostgreSQL when <NAME>_DATABASE_URL is set, otherwise PGlite under DATA_DIR/<name>. */
export function databaseSchema(name: SubgraphName | 'notifications') {
  const urlKey = `${name.toUpperCase()}_DATABASE_URL`;
  return z
    .object({
      [urlKey]: postgresUrl.optional(),
      DATA_DIR: z.string().min(1).default('.data'),
      DATABASE_PREPARED_STATEMENTS: booleanFlag(true),
      DATABASE_TRANSACTION_WAIT_MS: z.coerce.number().int().min(10).max(60_000).optional(),
    })
    .transform((env): DatabaseConfig => {
      // The key is computed, so zod types the object loosely; its values were validated above.
      const url = env[urlKey] as string | undefined;
      const wait = env.DATABASE_TRANSACTION_WAIT_MS as number | undefined;
      const engine: DatabaseConfig = url
        ? { kind: 'postgres', url, preparedStatements: env.DATABASE_PREPARED_STATEMENTS as boolean }
        : { kind: 'pglite', dataDir: `${env.DATA_DIR as string}/${name}` };
      return wait === undefined ? engine : { ...engine, transactionWaitMs: wait };
    });
}

export function subgraphServerSchema(name: SubgraphName) {
  const portKey = `${name.toUpperCase()}_PORT`;
  return z
    .object({ [portKey]: port(defaultPorts[name]), HOST: z.string().min(1).default('127.0.0.1') })
    .transform((env) => ({ port: env[portKey] as number, host: env.HOST as string }));
}

/** Where each subgraph answers; defaults follow the subgraphs' default ports. */
export const subgraphUrlsSchema = z
  .object({
    USERS_URL: z.url().optional(),
    CATALOG_URL: z.url().optional(),
    ORDERS_URL: z.url().optional(),
    USERS_PORT: port(defaultPorts.users),
    CATALOG_PORT: port(defaultPorts.catalog),
    ORDERS_PORT: port(defaultPorts.orders),
  })
  .transform(
    (env): Record<SubgraphName, string> => ({
      users: env.USERS_URL ?? `http://127.0.0.1:${env.USERS_PORT}/graphql`,
      catalog: env.CATALOG_URL ?? `http://127.0.0.1:${env.CATALOG_PORT}/graphql`,
      orders: env.ORDERS_URL ?? `http://127.0.0.1:${env.ORDERS_PORT}/graphql`,
    }),
  );

export const gatewaySchema = z
  .object({
    PORT: port(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    // Behind a load balancer, the client's address is the first hop of X-Forwarded-For.
    TRUST_PROXY: booleanFlag(false),
    RESPONSE_CACHE: booleanFlag(true),
    // Only without REDIS_URL: the in-process store's bound.
    RESPONSE_CACHE_MEMORY_MB: z.coerce.number().int().min(1).max(65_536).default(64),
    // How often a drained subgraph event feed is read again for cache invalidation.
    CACHE_EVENT_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
    // With NATS_URL, while the gateway is not reading the stream up to date (NATS away, catching
    // up): answers older than this are computed again rather than served (docs/adr/0034).
    CACHE_MAX_AGE_WITHOUT_EVENTS_SECONDS: z.coerce.number().int().min(0).max(3_600).default(5),
    // How long a verdict on a credential is reused: how late a revocation, deactivation or role
    // change may be noticed, against one call to the users subgraph per credential per period.
    CREDENTIAL_CACHE_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    // A query planned as one fetch whose answer is the client's is written as the subgraph sent
    // it, not parsed and shaped again (docs/adr/0048); false runs Apollo's executor for every query.
    SINGLE_FETCH_PASSTHROUGH: booleanFlag(true),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    trustProxy: env.TRUST_PROXY,
    responseCache: {
      enabled: env.RESPONSE_CACHE,
      memoryBytes: env.RESPONSE_CACHE_MEMORY_MB * 1024 * 1024,
      eventPollMs: env.CACHE_EVENT_POLL_MS,
      maxAgeWithoutEventsMs: env.CACHE_MAX_AGE_WITHOUT_EVENTS_SECONDS * 1000,
    },
    credentialCacheMs: env.CREDENTIAL_CACHE_MS,
    singleFetchPassthrough: env.SINGLE_FETCH_PASSTHROUGH,
  }));

export type GatewayConfig = z.output<typeof gatewaySchema>;

const limit = (fallback: number, max = 1_000_000_000) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * Structural limits on every operation the gateway accepts, checked while it is parsed and
 * validated, before any planning or subgraph call (docs/adr/0009). The defaults leave every
 * contract operation several times inside each bound.
 */
export const operationLimitsSchema = z
  .object({
    OPERATION_MAX_DEPTH: limit(10, 1_000),
    OPERATION_MAX_ALIASES: limit(15, 10_000),
    OPERATION_MAX_ROOT_FIELDS: limit(10, 10_000),
    OPERATION_MAX_DIRECTIVES: limit(50, 10_000),
    OPERATION_MAX_TOKENS: limit(1_000, 1_000_000),
    OPERATION_MAX_VARIABLES_BYTES: limit(64 * 1024, 1024 * 1024),
  })
  .transform((env) => ({
    maxDepth: env.OPERATION_MAX_DEPTH,
    maxAliases: env.OPERATION_MAX_ALIASES,
    maxRootFields: env.OPERATION_MAX_ROOT_FIELDS,
    maxDirectives: env.OPERATION_MAX_DIRECTIVES,
    maxTokens: env.OPERATION_MAX_TOKENS,
    maxVariablesBytes: env.OPERATION_MAX_VARIABLES_BYTES,
  }));

export type OperationLimits = z.output<typeof operationLimitsSchema>;

/**
 * Demand control (docs/adr/0009): each operation's cost is estimated from the schema's @cost
 * and @listSize and its variables; one above COST_MAX is refused, and every caller spends its
 * operations' costs from a budget that refills each window. `measure` estimates, spends and
 * reports without refusing; `off` does none of it.
 */
export const demandControlSchema = z
  .object({
    COST_MODE: z.enum(['enforce', 'measure', 'off']).default('enforce'),
    COST_MAX: limit(50_000),
    // Lists the schema gives no @listSize are assumed this long.
    COST_DEFAULT_LIST_SIZE: limit(100, 100_000),
    COST_BUDGET_WINDOW_SECONDS: limit(10, 86_400),
    COST_BUDGET_ANONYMOUS: limit(10_000),
    COST_BUDGET_USER: limit(100_000),
    COST_BUDGET_ADMIN: limit(500_000),
    // An API key's own budget, when an admin set one, replaces this.
    COST_BUDGET_API_KEY: limit(200_000),
  })
  .transform((env) => ({
    mode: env.COST_MODE,
    maxCost: env.COST_MAX,
    defaultListSize: env.COST_DEFAULT_LIST_SIZE,
    budgets: {
      windowSeconds: env.COST_BUDGET_WINDOW_SECONDS,
      anonymous: env.COST_BUDGET_ANONYMOUS,
      user: env.COST_BUDGET_USER,
      admin: env.COST_BUDGET_ADMIN,
      apiKey: env.COST_BUDGET_API_KEY,
    },
  }));

export type DemandControlConfig = z.output<typeof demandControlSchema>;

/**
 * What each subgraph refuses or stops on its own, whoever sends the request (docs/adr/0009):
 * the gateway's limits are tighter, so these only ever meet a request that did not come
 * through it, or a bug.
 */
export const subgraphLimitsSchema = z
  .object({
    SUBGRAPH_MAX_DEPTH: limit(15, 1_000),
    SUBGRAPH_MAX_TOKENS: limit(5_000, 1_000_000),
    SUBGRAPH_MAX_ROWS_PER_REQUEST: limit(50_000),
  })
  .transform((env) => ({
    maxDepth: env.SUBGRAPH_MAX_DEPTH,
    maxTokens: env.SUBGRAPH_MAX_TOKENS,
    maxRowsPerRequest: env.SUBGRAPH_MAX_ROWS_PER_REQUEST,
  }));

export type SubgraphLimits = z.output<typeof subgraphLimitsSchema>;

const milliseconds = (fallback: number) => z.coerce.number().int().min(1).max(600_000).default(fallback);
const deadlineOverride = z.coerce.number().int().min(1).max(600_000).optional();
const deadlineKinds = { connectMs: 'CONNECT_TIMEOUT_MS', headersMs: 'HEADERS_TIMEOUT_MS', totalMs: 'TIMEOUT_MS' } as const;

/** USERS_TIMEOUT_MS, CATALOG_CONNECT_TIMEOUT_MS...: one subgraph's deadline, over the default for all. */
const deadlineOverrides = Object.fromEntries(
  subgraphNames.flatMap((name) => Object.values(deadlineKinds).map((suffix) => [`${name.toUpperCase()}_${suffix}`, deadlineOverride])),
) as Record<`${Uppercase<SubgraphName>}_${(typeof deadlineKinds)[keyof typeof deadlineKinds]}`, typeof deadlineOverride>;

/**
 * How the gateway fetches from subgraphs (docs/adr/0014): each fetch's deadlines (to connect,
 * to the answer's headers, and in all, retries included), each with a default for every
 * subgraph and an override per subgraph; the circuit breaker each subgraph has; and the
 * retries of query fetches, bounded by a budget.
 */
export const subgraphFetchSchema = z
  .object({
    SUBGRAPH_CONNECT_TIMEOUT_MS: milliseconds(1_000),
    SUBGRAPH_HEADERS_TIMEOUT_MS: milliseconds(10_000),
    SUBGRAPH_TIMEOUT_MS: milliseconds(10_000),
    ...deadlineOverrides,
    SUBGRAPH_BREAKER_FAILURES: limit(5, 1_000),
    SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS: milliseconds(5_000),
    SUBGRAPH_RETRY_ATTEMPTS: z.coerce.number().int().min(0).max(2).default(1),
    SUBGRAPH_RETRY_BUDGET_RATIO: z.coerce.number().min(0).max(1).default(0.2),
    SUBGRAPH_RETRY_BUDGET_MIN_PER_SECOND: z.coerce.number().int().min(0).max(10_000).default(10),
  })
  .transform((env) => {
    const deadlineOf = (name: SubgraphName): SubgraphDeadlines => {
      const chosen = (kind: keyof typeof deadlineKinds, fallback: number) => env[`${name.toUpperCase() as Uppercase<SubgraphName>}_${deadlineKinds[kind]}`] ?? fallback;
      return {
        connectMs: chosen('connectMs', env.SUBGRAPH_CONNECT_TIMEOUT_MS),
        headersMs: chosen('headersMs', env.SUBGRAPH_HEADERS_TIMEOUT_MS),
        totalMs: chosen('totalMs', env.SUBGRAPH_TIMEOUT_MS),
      };
    };
    const deadlines = Object.fromEntries(subgraphNames.map((name) => [name, deadlineOf(name)])) as Record<SubgraphName, SubgraphDeadlines>;
    return {
      deadlines,
      breaker: { consecutiveFailures: env.SUBGRAPH_BREAKER_FAILURES, halfOpenAfterMs: env.SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS },
      retry: {
        maxAttempts: env.SUBGRAPH_RETRY_ATTEMPTS,
        budget: { ratio: env.SUBGRAPH_RETRY_BUDGET_RATIO, minPerSecond: env.SUBGRAPH_RETRY_BUDGET_MIN_PER_SECOND },
      },
    };
  });

export interface SubgraphDeadlines {
  /** To open a connection. */
  connectMs: number;
  /** From sending the request to the answer's headers. */
  headersMs: number;
  /** The whole fetch, answer body and retries included. */
  totalMs: number;
}

export type SubgraphFetchConfig = z.output<typeof subgraphFetchSchema>;

/** One Redis (redis://, rediss://) or a Redis Cluster (redis+cluster://host:port,host:port): see parseRedisUrl. */
const redisUrl = z.string().superRefine((value, context) => {
  try {
    parseRedisUrl(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** nats://host:port (or tls://), several separated by commas: one cluster's seed servers. */
const natsUrl = z.string().superRefine((value, context) => {
  for (const server of value.split(',').map((part) => part.trim())) {
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(server) || !URL.canParse(server)) {
      context.addIssue({ code: 'custom', message: `"${server}" is not a NATS server URL: nats://host:port or tls://host:port, several separated by commas` });
    }
  }
});

/**
 * Events through NATS JetStream (docs/adr/0028) when NATS_URL is set: each subgraph with an
 * outbox also relays it to the stream. Without it, nothing changes (the HTTP event feed). The
 * stream and subject prefix default to the contract's (SHOP_EVENTS, shop.*); another lets
 * deployments, or test runs, share one NATS without sharing a stream.
 */
export const natsSchema = z
  .object({
    NATS_URL: natsUrl.optional(),
    NATS_STREAM: z.string().regex(/^[\w-]{1,64}$/, 'must be letters, digits, _ or - (a JetStream stream name)').optional(),
    NATS_SUBJECT_PREFIX: z
      .string()
      .regex(/^[\w-]{1,32}(\.[\w-]{1,32}){0,3}$/, 'must be dot-separated tokens of letters, digits, _ or - (no wildcards)')
      .optional(),
    // The longest a relay waits for a connection, or for the stream's acknowledgement of one event.
    NATS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2_000),
    NATS_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2_000),
  })
  .transform((env) =>
    env.NATS_URL
      ? {
          servers: env.NATS_URL.split(',').map((part) => part.trim()),
          stream: env.NATS_STREAM ?? null,
          subjectPrefix: env.NATS_SUBJECT_PREFIX ?? null,
          connectTimeoutMs: env.NATS_CONNECT_TIMEOUT_MS,
          publishTimeoutMs: env.NATS_PUBLISH_TIMEOUT_MS,
        }
      : null,
  );

/** Where and how a relay reaches NATS; null when NATS_URL is unset. */
export type NatsConfig = NonNullable<z.output<typeof natsSchema>>;

/** Test runs only: PostgreSQL, Redis and NATS servers on which each run creates (and removes) its own data. */
export const testSchema = z
  .object({
    TEST_POSTGRES_URL: postgresUrl.optional(),
    TEST_REDIS_URL: redisUrl.optional(),
    TEST_NATS_URL: natsUrl.optional(),
    CI: z.string().optional(),
  })
  .superRefine((env, context) => {
    if (env.CI && !env.TEST_POSTGRES_URL) {
      context.addIssue({ code: 'custom', path: ['TEST_POSTGRES_URL'], message: 'is required in CI (real PostgreSQL tests)' });
    }
    if (env.CI && !env.TEST_REDIS_URL) {
      context.addIssue({ code: 'custom', path: ['TEST_REDIS_URL'], message: 'is required in CI (real Redis tests)' });
    }
    if (env.CI && !env.TEST_NATS_URL) {
      context.addIssue({ code: 'custom', path: ['TEST_NATS_URL'], message: 'is required in CI (real NATS JetStream tests)' });
    }
  })
  .transform((env) => ({ postgresUrl: env.TEST_POSTGRES_URL ?? null, redisUrl: env.TEST_REDIS_URL ?? null, natsUrl: env.TEST_NATS_URL ?? null }));

/** Redis when REDIS_URL is set (shared by every instance), an in-process store otherwise. */
export const redisSchema = z
  .object({
    REDIS_URL: redisUrl.optional(),
    // Lets several deployments (or test runs) share one Redis without seeing each other's keys.
    REDIS_KEY_PREFIX: z.string().min(1).max(64).default('shop:'),
    // The longest a request waits on Redis (docs/adr/0015): past it, Redis counts as away.
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(150),
    REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  })
  .transform((env) => ({
    url: env.REDIS_URL ?? null,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
  }));

export type RedisConfig = z.output<typeof redisSchema>;

export interface SigningKey {
  kid: string;
  secret: Uint8Array;
}

/** The first key signs; every listed key verifies, so a key is rotated by prepending a new one. */
export interface KeyRing {
  signing: SigningKey;
  verifying: ReadonlyMap<string, SigningKey>;
}

const MIN_SECRET_BYTES = 32;
const HOW_TO_MAKE_A_SECRET = 'make one with `openssl rand -base64 48`';

const DEVELOPMENT_ACCESS_SECRET = 'development-only-access-token-secret-change-me';
const DEVELOPMENT_GATEWAY_SECRET = 'development-only-gateway-token-secret-change-me';

/**
 * Every signing secret anyone can read in this repository: the development defaults and the
 * placeholder CI validates docker-compose.yml with. A deployment others can reach refuses
 * each of them (test/published-secrets.test.ts keeps this list complete).
 */
export const publishedSecrets: ReadonlySet<string> = new Set([
  DEVELOPMENT_ACCESS_SECRET,
  DEVELOPMENT_GATEWAY_SECRET,
  'validation-only-placeholder-secret-0000',
]);

const nodeEnv = z.enum(['development', 'production', 'test']).default('development');
const host = z.string().min(1).default('127.0.0.1');

const isLoopback = (address: string) => address === 'localhost' || address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);

/**
 * Parses `kid:secret[,kid:secret...]`. Development on this machine gets a fixed, well-known
 * key so that `npm start` needs no setup. Production, or any service listening beyond
 * loopback, must bring its own: published secrets and short ones are refused, naming the key.
 */
function parseKeyRing(
  key: string,
  raw: string | undefined,
  environment: { NODE_ENV: z.output<typeof nodeEnv>; HOST: string },
  developmentDefault: string,
  context: z.RefinementCtx,
): KeyRing | undefined {
  const reachable = environment.NODE_ENV === 'production' || !isLoopback(environment.HOST);
  const value = raw ?? (reachable ? undefined : developmentDefault);
  if (value === undefined) {
    const where = environment.NODE_ENV === 'production' ? 'in production' : `when listening beyond this machine (HOST=${environment.HOST})`;
    context.addIssue({ code: 'custom', path: [key], message: `is required ${where}: kid:secret[,kid:secret...], each secret of ${MIN_SECRET_BYTES}+ bytes (${HOW_TO_MAKE_A_SECRET})` });
    return undefined;
  }
  const keys: SigningKey[] = [];
  for (const entry of value.split(',').map((part) => part.trim())) {
    const separator = entry.indexOf(':');
    const kid = entry.slice(0, Math.max(separator, 0));
    const secret = entry.slice(separator + 1);
    if (!/^[\w.-]{1,64}$/.test(kid)) {
      context.addIssue({ code: 'custom', path: [key], message: 'each key is kid:secret, the kid made of letters, digits, _ . -' });
    } else if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      context.addIssue({ code: 'custom', path: [key], message: `key "${kid}" needs a secret of at least ${MIN_SECRET_BYTES} bytes (${HOW_TO_MAKE_A_SECRET})` });
    } else if (reachable && publishedSecrets.has(secret)) {
      context.addIssue({ code: 'custom', path: [key], message: `key "${kid}" uses a secret published in this repository, which anyone can sign with (${HOW_TO_MAKE_A_SECRET})` });
    } else {
      keys.push({ kid, secret: new TextEncoder().encode(secret) });
    }
  }
  const [signing] = keys;
  return signing ? { signing, verifying: new Map(keys.map((k) => [k.kid, k])) } : undefined;
}

/** How the users subgraph issues access tokens (JWT) and refresh tokens (opaque). */
export const accessTokenSchema = z
  .object({
    NODE_ENV: nodeEnv,
    HOST: host,
    ACCESS_TOKEN_KEYS: z.string().optional(),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(3600).max(90 * 86_400).default(30 * 86_400),
  })
  .transform((env, context) => {
    const keys = parseKeyRing('ACCESS_TOKEN_KEYS', env.ACCESS_TOKEN_KEYS, env, `dev-access-1:${DEVELOPMENT_ACCESS_SECRET}`, context);
    if (!keys) return z.NEVER;
    return { keys, accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS, refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS };
  });

export type AccessTokenConfig = z.output<typeof accessTokenSchema>;

/** Keys the gateway signs each request's identity with, and every subgraph verifies. */
export const gatewayTokenSchema = z
  .object({ NODE_ENV: nodeEnv, HOST: host, GATEWAY_TOKEN_KEYS: z.string().optional() })
  .transform((env, context) => {
    const keys = parseKeyRing('GATEWAY_TOKEN_KEYS', env.GATEWAY_TOKEN_KEYS, env, `dev-gateway-1:${DEVELOPMENT_GATEWAY_SECRET}`, context);
    return keys ?? z.NEVER;
  });

/**
 * Sign-in throttling (docs/adr/0010). Every attempt is counted as a failure before its password
 * is checked, and taken back when it succeeds. Past a hard limit, per account and client address
 * or per client address, RATE_LIMITED. An account's failures from every address only slow its
 * attempts down (a wait that doubles, up to LOGIN_ACCOUNT_MAX_DELAY_SECONDS), and never for an
 * address its owner has signed in from: a stranger cannot lock the owner out.
 */
export const loginRateLimitSchema = z
  .object({
    LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT: limit(5, 1_000_000),
    LOGIN_MAX_FAILURES_PER_CLIENT: limit(30, 1_000_000),
    LOGIN_FAILURE_WINDOW_SECONDS: limit(900, 86_400),
    LOGIN_ACCOUNT_SLOWDOWN_AFTER: limit(10, 1_000_000),
    LOGIN_ACCOUNT_WINDOW_SECONDS: limit(86_400, 7 * 86_400),
    LOGIN_ACCOUNT_MAX_DELAY_SECONDS: limit(900, 86_400),
    // Its meaning changed: refuse it rather than ignore a setting a deployment relies on.
    LOGIN_MAX_FAILURES_PER_ACCOUNT: z
      .undefined({ message: 'was replaced by LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT and LOGIN_ACCOUNT_SLOWDOWN_AFTER (docs/adr/0010)' })
      .optional(),
  })
  .transform((env) => ({
    maxFailuresPerAccountAndClient: env.LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
    maxFailuresPerClient: env.LOGIN_MAX_FAILURES_PER_CLIENT,
    windowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
    accountSlowdownAfter: env.LOGIN_ACCOUNT_SLOWDOWN_AFTER,
    accountWindowSeconds: env.LOGIN_ACCOUNT_WINDOW_SECONDS,
    accountMaxDelaySeconds: env.LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
  }));

export type LoginRateLimitConfig = z.output<typeof loginRateLimitSchema>;

/** Registrations per client address and window, counted before the password is hashed (docs/adr/0010). */
export const registrationRateLimitSchema = z
  .object({
    REGISTER_MAX_PER_CLIENT: limit(10, 1_000_000),
    REGISTER_WINDOW_SECONDS: limit(3_600, 86_400),
  })
  .transform((env) => ({ maxPerClient: env.REGISTER_MAX_PER_CLIENT, windowSeconds: env.REGISTER_WINDOW_SECONDS }));

export type RegistrationRateLimitConfig = z.output<typeof registrationRateLimitSchema>;

/**
 * Password resets (docs/adr/0035): how long a token works, and how many requests one email
 * and one client address may make per window, counted before anything is looked up.
 */
export const passwordResetSchema = z
  .object({
    PASSWORD_RESET_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(1_800),
    PASSWORD_RESET_MAX_PER_EMAIL: limit(3, 1_000_000),
    PASSWORD_RESET_MAX_PER_CLIENT: limit(10, 1_000_000),
    PASSWORD_RESET_WINDOW_SECONDS: limit(3_600, 86_400),
  })
  .transform((env) => ({
    tokenTtlSeconds: env.PASSWORD_RESET_TOKEN_TTL_SECONDS,
    maxPerEmail: env.PASSWORD_RESET_MAX_PER_EMAIL,
    maxPerClient: env.PASSWORD_RESET_MAX_PER_CLIENT,
    windowSeconds: env.PASSWORD_RESET_WINDOW_SECONDS,
  }));

export type PasswordResetConfig = z.output<typeof passwordResetSchema>;

/**
 * How a service stops on SIGTERM or SIGINT (docs/adr/0016): it stops accepting, answers the
 * requests in flight, closes its pools and exits, all within SHUTDOWN_TIMEOUT_MS, whatever
 * hangs. Orchestrators kill after their own grace period (30 s in Kubernetes): keep this below it.
 */
export const shutdownSchema = z
  .object({ SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000) })
  .transform((env) => ({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }));

export type ShutdownConfig = z.output<typeof shutdownSchema>;

/**
 * The notifications worker (docs/adr/0031): emails through SMTP_URL (smtp:// or smtps://, with
 * credentials in it when the server wants them), or, unset, each message written as an .eml
 * file under DATA_DIR/notifications/outbox. Its port answers /live and /ready only.
 */
export const notificationsSchema = z
  .object({
    SMTP_URL: z
      .url()
      .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Commerce supergraph <orders@shop.example>'),
    NOTIFICATIONS_PORT: port(4010),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('.data'),
    NOTIFICATIONS_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  })
  .transform((env) => ({
    smtpUrl: env.SMTP_URL ?? null,
    from: env.MAIL_FROM,
    port: env.NOTIFICATIONS_PORT,
    host: env.HOST,
    outboxDir: `${env.DATA_DIR}/notifications/outbox`,
    pollMs: env.NOTIFICATIONS_POLL_MS,
  }));

export type NotificationsConfig = z.output<typeof notificationsSchema>;

/**
 * A subgraph on real PostgreSQL refuses to start while its database lacks a migration, naming
 * the command that applies them, unless MIGRATE_ON_START lets it apply them itself. The
 * embedded database always migrates itself.
 */
export const startupMigrationSchema = z
  .object({ MIGRATE_ON_START: booleanFlag(false) })
  .transform((env) => ({ migrateOnStart: env.MIGRATE_ON_START }));

/** Where a service serves GET /metrics for Prometheus (docs/adr/0021). */
export interface MetricsEndpointConfig {
  /** A port of its own, never the public one; 0 takes any free port (tests). */
  port: number;
  host: string;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | null;
}

const metricsToken = z.string().min(16, 'must be at least 16 characters').optional();

const defaultMetricsPorts: Record<SubgraphName | 'notifications', number> = { users: 9465, catalog: 9466, orders: 9467, notifications: 9468 };

/**
 * A subgraph's (or the notifications worker's) metrics endpoint: <NAME>_METRICS_PORT (users
 * 9465, catalog 9466, orders 9467, notifications 9468), on HOST.
 */
export function subgraphMetricsSchema(name: SubgraphName | 'notifications') {
  const portKey = `${name.toUpperCase()}_METRICS_PORT`;
  return z
    .object({ [portKey]: port(defaultMetricsPorts[name]), HOST: z.string().min(1).default('127.0.0.1'), METRICS_TOKEN: metricsToken })
    .transform((env): MetricsEndpointConfig => ({ port: env[portKey] as number, host: env.HOST as string, token: (env.METRICS_TOKEN as string | undefined) ?? null }));
}

/**
 * The gateway's metrics endpoint, and the bound on client names as label values: the names
 * listed, then the first ones seen up to the maximum; any other is counted as `other`.
 */
export const gatewayMetricsSchema = z
  .object({
    METRICS_PORT: port(9464),
    HOST: z.string().min(1).default('127.0.0.1'),
    METRICS_TOKEN: metricsToken,
    METRICS_CLIENT_NAMES: z.string().default(''),
    METRICS_MAX_CLIENT_NAMES: z.coerce.number().int().min(0).max(1000).default(20),
  })
  .transform((env) => ({
    endpoint: { port: env.METRICS_PORT, host: env.HOST, token: env.METRICS_TOKEN ?? null } satisfies MetricsEndpointConfig,
    clientNames: env.METRICS_CLIENT_NAMES.split(',').map((name) => name.trim()).filter((name) => name !== ''),
    maxClientNames: env.METRICS_MAX_CLIENT_NAMES,
  }));

export type GatewayMetricsConfig = z.output<typeof gatewayMetricsSchema>;

const retired = (message: string) => z.undefined({ message }).optional();

/**
 * Demo data (docs/adr/0025): a catalog and accounts whose passwords are published, an admin's
 * among them. On by default in development; in production off, and refused when asked for.
 */
export const seedSchema = z
  .object({
    NODE_ENV: nodeEnv,
    SEED_DEMO_DATA: booleanFlag(true).optional(),
    SEED_ADMIN_EMAIL: retired('is retired: the demo admin is fixed; make a real one with `npm run admin:create` (ADMIN_EMAIL, ADMIN_PASSWORD)'),
    SEED_ADMIN_PASSWORD: retired('is retired: make a real admin with `npm run admin:create` (ADMIN_EMAIL, and ADMIN_PASSWORD or standard input)'),
  })
  .transform((env, context) => {
    if (env.NODE_ENV !== 'production') return { demoData: env.SEED_DEMO_DATA ?? true };
    if (env.SEED_DEMO_DATA === true) {
      context.addIssue({
        code: 'custom',
        path: ['SEED_DEMO_DATA'],
        message: 'is refused in production: the demo accounts have published passwords, an admin among them (make an admin with `npm run admin:create`)',
      });
      return z.NEVER;
    }
    return { demoData: false };
  });

export type SeedConfig = z.output<typeof seedSchema>;

/** The admin `npm run admin:create` creates, or resets (docs/adr/0025); the password may come on standard input instead. */
export const adminSchema = z
  .object({
    ADMIN_EMAIL: z.email('must be the admin\'s email address'),
    ADMIN_PASSWORD: z
      .string({ message: 'is required: set it, or give the password on standard input' })
      .min(12, 'must be at least 12 characters')
      .max(128, 'must be at most 128 characters'),
  })
  .transform((env) => ({ email: env.ADMIN_EMAIL.toLowerCase(), password: env.ADMIN_PASSWORD }));

export type AdminConfig = z.output<typeof adminSchema>;

/** Origins a browser may call the gateway from (docs/adr/0024): any loopback origin, or exactly those listed. */
export interface CorsConfig {
  origins: ReadonlySet<string>;
  loopback: boolean;
}

/**
 * CORS_ORIGINS: comma-separated origins (`https://shop.example.com`). Unset: in development any
 * http://localhost:<port> or http://127.0.0.1:<port>, in production none.
 */
export const corsSchema = z
  .object({ NODE_ENV: nodeEnv, CORS_ORIGINS: z.string().optional() })
  .transform((env, context): CorsConfig => {
    if (env.CORS_ORIGINS === undefined) return { origins: new Set(), loopback: env.NODE_ENV !== 'production' };
    const origins = env.CORS_ORIGINS.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    for (const origin of origins) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
        context.addIssue({ code: 'custom', path: ['CORS_ORIGINS'], message: `"${origin}" is not an origin: scheme://host[:port], no path or trailing slash` });
      }
    }
    return { origins: new Set(origins), loopback: false };
  });
