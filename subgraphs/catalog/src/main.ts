import {
  databaseSchema,
  gatewayTokenSchema,
  loadConfig,
  readEnvironment,
  runtimeSchema,
  seedSchema,
  subgraphLimitsSchema,
  subgraphServerSchema,
} from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startCatalog } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      database: databaseSchema('catalog'),
      server: subgraphServerSchema('catalog'),
      gatewayKeys: gatewayTokenSchema,
      seed: seedSchema,
      limits: subgraphLimitsSchema,
    },
    readEnvironment(),
  );
  const embedded = config.database.kind === 'pglite';
  return startCatalog({
    database: config.database,
    migrate: embedded,
    gatewayKeys: config.gatewayKeys,
    seedDemoData: embedded && config.seed.demoData,
    limits: config.limits,
    ...config.server,
    logger: createLogger('catalog', config.runtime.LOG_LEVEL),
  });
});
