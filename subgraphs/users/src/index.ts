import type {
  AccessTokenConfig,
  DatabaseConfig,
  KeyRing,
  LoginRateLimitConfig,
  NatsConfig,
  PasswordResetConfig,
  RedisConfig,
  RegistrationRateLimitConfig,
  SubgraphLimits,
} from '@shop/config';
import { addressLookup, credentialCheck, passwordResetToken, shopperContact } from '@shop/contracts';
import type { StopOptions } from '@shop/graphql-kit';
import { internalRoute, serveSubgraph, type SubgraphMetricsOptions } from '@shop/graphql-kit/subgraph';
import type { Logger } from '@shop/logging';
import { createRateLimiters } from '@shop/redis';
import type { Context } from './context.js';
import { createPrisma, migrationsDir, type UsersPrisma } from './data/client.js';
import { createLoaders, createSharedReads, type UsersSharedReads } from './data/loaders.js';
import { resolvers } from './resolvers/index.js';
import { seedUsers } from './seed.js';
import { shippingAddressOf } from './services/addresses.js';
import { viewerForCredential } from './services/authenticate.js';
import { contactOf } from './services/contact.js';
import { issueResetToken } from './services/password-reset.js';
import { createThrottles, throttleWindows } from './services/throttles.js';

export type { UsersPrisma } from './data/client.js';

export interface UsersOptions {
  database: DatabaseConfig;
  migrate: boolean;
  /** The demo accounts, the demo admin among them (docs/adr/0025). */
  seedDemoData: boolean;
  gatewayKeys: KeyRing;
  tokens: AccessTokenConfig;
  loginRateLimit: LoginRateLimitConfig;
  registrationRateLimit: RegistrationRateLimitConfig;
  passwordReset: PasswordResetConfig;
  redis: RedisConfig;
  /** NATS JetStream to relay the outbox to as well (docs/adr/0028); none: the HTTP event feed only. */
  broker?: NatsConfig | null;
  limits: SubgraphLimits;
  host: string;
  port: number;
  /** Where Prometheus scrapes it; none in tests that run it in process. */
  metrics?: SubgraphMetricsOptions;
  logger: Logger;
  /** One access line per request, at info (on unless false). */
  accessLog?: boolean;
}

export async function startUsers(options: UsersOptions) {
  const { tokens } = options;
  const rateLimiters = createRateLimiters(
    options.redis,
    throttleWindows(options.loginRateLimit, options.registrationRateLimit, options.passwordReset),
    options.logger,
  );
  const accounts = { tokens, passwordReset: options.passwordReset, ...createThrottles(rateLimiters.limiters, options.loginRateLimit) };
  const subgraph = await serveSubgraph<UsersPrisma, Context, UsersSharedReads>({
    ...options,
    name: 'users',
    migrationsDir,
    createPrisma,
    createServices: createSharedReads,
    createContext: (prisma, { viewer, clientIp }, shared) => ({ viewer, clientIp, prisma, loaders: createLoaders(shared), accounts }),
    internalRoutes: (prisma) => [
      internalRoute(credentialCheck, async (credential) => ({ viewer: await viewerForCredential(prisma, tokens, credential) })),
      internalRoute(addressLookup, async ({ userId, addressId }) => ({ address: await shippingAddressOf(prisma, userId, addressId) })),
      internalRoute(shopperContact, async ({ userId }) => ({ contact: await contactOf(prisma, userId) })),
      internalRoute(passwordResetToken, (request) => issueResetToken(prisma, request)),
    ],
    // Password reset requests (docs/adr/0035) go to the notifications worker through it.
    outbox: true,
    prepare: options.seedDemoData ? (prisma) => seedUsers(prisma, options.logger) : undefined,
    schemaUrl: new URL('./schema.graphql', import.meta.url),
    resolvers,
  }).catch(async (error: unknown) => {
    await rateLimiters.close();
    throw error;
  });
  return {
    ...subgraph,
    stop: async (stopOptions?: StopOptions) => {
      await subgraph.stop(stopOptions);
      await rateLimiters.close();
    },
  };
}
export { createPrisma, migrationsDir } from './data/client.js';
export { DEMO_ADMIN, DEMO_PASSWORD, seedUsers } from './seed.js';
export { createOrResetAdmin } from './services/admins.js';
