import {
  accessLogSchema,
  corsSchema,
  demandControlSchema,
  gatewayMetricsSchema,
  gatewaySchema,
  gatewayTokenSchema,
  loadConfig,
  natsSchema,
  operationLimitsSchema,
  readEnvironment,
  redisSchema,
  runtimeSchema,
  shutdownSchema,
  subgraphFetchSchema,
  subgraphUrlsSchema,
  tracingSchema,
} from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startTracing } from '@shop/tracing';
import { startGateway } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      accessLog: accessLogSchema,
      tracing: tracingSchema('gateway'),
      gateway: gatewaySchema,
      subgraphUrls: subgraphUrlsSchema,
      subgraphFetch: subgraphFetchSchema,
      gatewayKeys: gatewayTokenSchema,
      redis: redisSchema,
      broker: natsSchema,
      operationLimits: operationLimitsSchema,
      demandControl: demandControlSchema,
      shutdown: shutdownSchema,
      metrics: gatewayMetricsSchema,
      cors: corsSchema,
    },
    readEnvironment(),
  );
  const logger = createLogger('gateway', config.runtime.LOG_LEVEL);
  const tracing = await startTracing(config.tracing);
  const service = await startGateway({
    ...config.gateway,
    subgraphUrls: config.subgraphUrls,
    subgraphFetch: config.subgraphFetch,
    production: config.runtime.NODE_ENV === 'production',
    gatewayKeys: config.gatewayKeys,
    redis: config.redis,
    nats: config.broker,
    operationLimits: config.operationLimits,
    demandControl: config.demandControl,
    metrics: config.metrics,
    cors: config.cors,
    logger,
    accessLog: config.accessLog,
  });
  return { service, shutdown: config.shutdown, logger, tracing };
});
