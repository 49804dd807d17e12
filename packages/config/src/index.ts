export { ConfigError, parseConfig, readEnvironment, type Env } from './load.js';
export {
  databaseSchema,
  gatewaySchema,
  runtimeSchema,
  seedSchema,
  subgraphNames,
  subgraphServerSchema,
  testSchema,
  type DatabaseConfig,
  type GatewayConfig,
  type SeedConfig,
  type SubgraphName,
} from './schemas.js';
export { loadConfig } from './load-all.js';
