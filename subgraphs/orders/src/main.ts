import { databaseSchema, loadConfig, readEnvironment, runtimeSchema, subgraphServerSchema } from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startOrders } from './index.js';

await runService(async () => {
  const config = loadConfig(
    { runtime: runtimeSchema, database: databaseSchema('orders'), server: subgraphServerSchema('orders') },
    readEnvironment(),
  );
  return startOrders({
    database: config.database,
    migrate: config.database.kind === 'pglite',
    ...config.server,
    logger: createLogger('orders', config.runtime.LOG_LEVEL),
  });
});
