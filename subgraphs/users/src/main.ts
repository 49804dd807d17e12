import {
  accessTokenSchema,
  databaseSchema,
  gatewayTokenSchema,
  loadConfig,
  loginRateLimitSchema,
  registrationRateLimitSchema,
  readEnvironment,
  redisSchema,
  runtimeSchema,
  seedSchema,
  subgraphLimitsSchema,
  subgraphServerSchema,
} from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startUsers } from './index.js';

await runService(async () => {
  const config = loadConfig(
    {
      runtime: runtimeSchema,
      database: databaseSchema('users'),
      server: subgraphServerSchema('users'),
      seed: seedSchema,
      gatewayKeys: gatewayTokenSchema,
      tokens: accessTokenSchema,
      loginRateLimit: loginRateLimitSchema,
      registrationRateLimit: registrationRateLimitSchema,
      redis: redisSchema,
      limits: subgraphLimitsSchema,
    },
    readEnvironment(),
  );
  const embedded = config.database.kind === 'pglite';
  return startUsers({
    ...config,
    migrate: embedded,
    seed: embedded && config.seed.demoData ? config.seed : null,
    ...config.server,
    logger: createLogger('users', config.runtime.LOG_LEVEL),
  });
});
