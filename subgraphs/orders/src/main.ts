import {
  databaseSchema,
  gatewayTokenSchema,
  loadConfig,
  readEnvironment,
  runtimeSchema,
  subgraphLimitsSchema,
  subgraphServerSchema,
  subgraphUrlsSchema,
} from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startOrders } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      database: databaseSchema('orders'),
      server: subgraphServerSchema('orders'),
      gatewayKeys: gatewayTokenSchema,
      subgraphUrls: subgraphUrlsSchema,
      limits: subgraphLimitsSchema,
    },
    readEnvironment(),
  );
  return startOrders({
    database: config.database,
    migrate: config.database.kind === 'pglite',
    gatewayKeys: config.gatewayKeys,
    catalogUrl: config.subgraphUrls.catalog,
    limits: config.limits,
    ...config.server,
    logger: createLogger('orders', config.runtime.LOG_LEVEL),
  });
});
