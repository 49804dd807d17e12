import type { DatabaseConfig, KeyRing } from '@shop/config';
import { serveSubgraph } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import type { Context } from './context.js';
import { createPrisma, migrationsDir, type OrdersPrisma } from './data/client.js';
import { createLoaders } from './data/loaders.js';
import { resolvers } from './resolvers/index.js';

export type { OrdersPrisma } from './data/client.js';

export interface OrdersOptions {
  database: DatabaseConfig;
  migrate: boolean;
  gatewayKeys: KeyRing;
  host: string;
  port: number;
  logger: Logger;
}

export function startOrders(options: OrdersOptions) {
  return serveSubgraph<OrdersPrisma, Context>({
    ...options,
    migrationsDir,
    createPrisma,
    createContext: (prisma, { viewer }) => ({ viewer, prisma, loaders: createLoaders(prisma) }),
    schemaUrl: new URL('./schema.graphql', import.meta.url),
    resolvers,
  });
}
export { createPrisma, migrationsDir } from './data/client.js';
