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
  seedSchema,
  subgraphLimitsSchema,
  subgraphMetricsSchema,
  subgraphServerSchema,
  tracingSchema,
} from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startTracing } from '@shop/tracing';
import { startCatalog } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      accessLog: accessLogSchema,
      tracing: tracingSchema('catalog'),
      database: databaseSchema('catalog'),
      server: subgraphServerSchema('catalog'),
      metrics: subgraphMetricsSchema('catalog'),
      gatewayKeys: gatewayTokenSchema,
      seed: seedSchema,
      limits: subgraphLimitsSchema,
      shutdown: shutdownSchema,
      migrations: startupMigrationSchema,
      broker: natsSchema,
    },
    readEnvironment(),
  );
  const embedded = config.database.kind === 'pglite';
  const logger = createLogger('catalog', config.runtime.LOG_LEVEL);
  const tracing = await startTracing(config.tracing);
  const service = await startCatalog({
    database: config.database,
    migrate: embedded || config.migrations.migrateOnStart,
    gatewayKeys: config.gatewayKeys,
    seedDemoData: embedded && config.seed.demoData,
    limits: config.limits,
    broker: config.broker,
    ...config.server,
    metrics: { endpoint: config.metrics, alsoOnMainPort: config.runtime.NODE_ENV !== 'production' },
    logger,
    accessLog: config.accessLog,
  });
  return { service, shutdown: config.shutdown, logger, tracing };
});
