import {
  databaseSchema,
  gatewayTokenSchema,
  loadConfig,
  natsSchema,
  notificationsSchema,
  readEnvironment,
  runtimeSchema,
  shutdownSchema,
  startupMigrationSchema,
  subgraphMetricsSchema,
  subgraphUrlsSchema,
} from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startNotifications } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      notifications: notificationsSchema,
      database: databaseSchema('notifications'),
      subgraphUrls: subgraphUrlsSchema,
      gatewayKeys: gatewayTokenSchema,
      broker: natsSchema,
      shutdown: shutdownSchema,
      migrations: startupMigrationSchema,
      metrics: subgraphMetricsSchema('notifications'),
    },
    readEnvironment(),
  );
  const logger = createLogger('notifications', config.runtime.LOG_LEVEL);
  const service = await startNotifications({
    ...config.notifications,
    database: config.database,
    migrate: config.database.kind === 'pglite' || config.migrations.migrateOnStart,
    nats: config.broker,
    usersUrl: config.subgraphUrls.users,
    ordersUrl: config.subgraphUrls.orders,
    gatewayKeys: config.gatewayKeys,
    metrics: config.metrics,
    logger,
  });
  return { service, shutdown: config.shutdown, logger };
});
