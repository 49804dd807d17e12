import type { DatabaseConfig, KeyRing } from '@shop/config';
import { serveSubgraph } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import type { Context } from './context.js';
import { createPrisma, migrationsDir, type CatalogPrisma } from './data/client.js';
import { createLoaders } from './data/loaders.js';
import { resolvers } from './resolvers/index.js';
import { seedCatalog } from './seed.js';

export type { CatalogPrisma } from './data/client.js';

export interface CatalogOptions {
  database: DatabaseConfig;
  migrate: boolean;
  gatewayKeys: KeyRing;
  seedDemoData: boolean;
  host: string;
  port: number;
  logger: Logger;
}

export function startCatalog(options: CatalogOptions) {
  return serveSubgraph<CatalogPrisma, Context>({
    ...options,
    migrationsDir,
    createPrisma,
    createContext: (prisma, { viewer }) => ({ viewer, prisma, loaders: createLoaders(prisma) }),
    prepare: options.seedDemoData ? (prisma) => seedCatalog(prisma, options.logger) : undefined,
    schemaUrl: new URL('./schema.graphql', import.meta.url),
    resolvers,
  });
}
export { createPrisma, migrationsDir } from './data/client.js';
export { seedCatalog } from './seed.js';
