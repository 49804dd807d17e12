// The image's command (Dockerfile): starts the service SERVICE names (gateway by default).
// Compiled, it imports the compiled entry point beside it in dist/.
import { imageServiceSchema, loadConfig, readEnvironment } from '@shop/config';

const entryPoints = {
  gateway: '../gateway/src/main.js',
  users: '../subgraphs/users/src/main.js',
  catalog: '../subgraphs/catalog/src/main.js',
  orders: '../subgraphs/orders/src/main.js',
  notifications: '../workers/notifications/src/main.js',
} as const;

const { service } = loadConfig({ service: imageServiceSchema }, readEnvironment());
await import(entryPoints[service]);
