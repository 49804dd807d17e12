import { gatewaySchema, loadConfig, readEnvironment, runtimeSchema } from '@shop/config';
import { runService } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startGateway } from './index.js';

await runService(async () => {
  const config = loadConfig({ runtime: runtimeSchema, gateway: gatewaySchema }, readEnvironment());
  return startGateway({ ...config.gateway, logger: createLogger('gateway', config.runtime.LOG_LEVEL) });
});
