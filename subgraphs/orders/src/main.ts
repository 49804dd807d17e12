import {
  accessLogSchema,
  databaseSchema,
  gatewayTokenSchema,
  loadConfig,
  natsSchema,
  readEnvironment,
  runtimeSchema,
  shutdownSchema,
  startupMigrationSchema,
  subgraphLimitsSchema,
  subgraphMetricsSchema,
  subgraphServerSchema,
  subgraphUrlsSchema,
  tracingSchema,
} from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startTracing } from '@shop/tracing';
import { startOrders } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      accessLog: accessLogSchema,
      tracing: tracingSchema('orders'),
      database: databaseSchema('orders'),
      server: subgraphServerSchema('orders'),
      metrics: subgraphMetricsSchema('orders'),
      gatewayKeys: gatewayTokenSchema,
      subgraphUrls: subgraphUrlsSchema,
      limits: subgraphLimitsSchema,
      shutdown: shutdownSchema,
      migrations: startupMigrationSchema,
      broker: natsSchema,
    },
    readEnvironment(),
  );
  const logger = createLogger('orders', config.runtime.LOG_LEVEL);
  const tracing = await startTracing(config.tracing);
  const service = await startOrders({
    database: config.database,
    migrate: config.database.kind === 'pglite' || config.migrations.migrateOnStart,
    gatewayKeys: config.gatewayKeys,
    catalogUrl: config.subgraphUrls.catalog,
    usersUrl: config.subgraphUrls.users,
    limits: config.limits,
    broker: config.broker,
    ...config.server,
    metrics: { endpoint: config.metrics, alsoOnMainPort: config.runtime.NODE_ENV !== 'production' },
    logger,
    accessLog: config.accessLog,
  });
  return { service, shutdown: config.shutdown, logger, tracing };
});
