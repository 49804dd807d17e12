export { ConfigError, parseConfig, readEnvironment, type Env } from './load.js';
export {
  accessTokenSchema,
  databaseSchema,
  gatewayTokenSchema,
  loginRateLimitSchema,
  redisSchema,
  gatewaySchema,
  runtimeSchema,
  seedSchema,
  subgraphNames,
  subgraphServerSchema,
  testSchema,
  type AccessTokenConfig,
  type DatabaseConfig,
  type KeyRing,
  type LoginRateLimitConfig,
  type RedisConfig,
  type SigningKey,
  type GatewayConfig,
  type SeedConfig,
  type SubgraphName,
} from './schemas.js';
export { loadConfig } from './load-all.js';
