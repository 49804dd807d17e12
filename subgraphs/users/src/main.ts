import {
  accessLogSchema,
  accessTokenSchema,
  databaseSchema,
  gatewayTokenSchema,
  loadConfig,
  loginRateLimitSchema,
  natsSchema,
  passwordResetSchema,
  registrationRateLimitSchema,
  readEnvironment,
  redisSchema,
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
import { startUsers } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      accessLog: accessLogSchema,
      tracing: tracingSchema('users'),
      database: databaseSchema('users'),
      server: subgraphServerSchema('users'),
      metrics: subgraphMetricsSchema('users'),
      seed: seedSchema,
      gatewayKeys: gatewayTokenSchema,
      tokens: accessTokenSchema,
      loginRateLimit: loginRateLimitSchema,
      registrationRateLimit: registrationRateLimitSchema,
      passwordReset: passwordResetSchema,
      redis: redisSchema,
      limits: subgraphLimitsSchema,
      shutdown: shutdownSchema,
      migrations: startupMigrationSchema,
      broker: natsSchema,
    },
    readEnvironment(),
  );
  const embedded = config.database.kind === 'pglite';
  const logger = createLogger('users', config.runtime.LOG_LEVEL);
  const tracing = await startTracing(config.tracing);
  const service = await startUsers({
    ...config,
    migrate: embedded || config.migrations.migrateOnStart,
    seedDemoData: embedded && config.seed.demoData,
    ...config.server,
    metrics: { endpoint: config.metrics, alsoOnMainPort: config.runtime.NODE_ENV !== 'production' },
    logger,
  });
  return { service, shutdown: config.shutdown, logger, tracing };
});
