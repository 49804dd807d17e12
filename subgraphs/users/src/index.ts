import { anonymousViewer } from '@shop/auth';
import type { DatabaseConfig, SeedConfig } from '@shop/config';
import { serveSubgraph } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import type { Context } from './context.js';
import { createPrisma, migrationsDir, type UsersPrisma } from './data/client.js';
import { createLoaders } from './data/loaders.js';
import { resolvers } from './resolvers/index.js';
import { seedUsers } from './seed.js';

export type { UsersPrisma } from './data/client.js';

export interface UsersOptions {
  database: DatabaseConfig;
  migrate: boolean;
  /** Demo accounts and the configured admin; null seeds nothing. */
  seed: SeedConfig | null;
  host: string;
  port: number;
  logger: Logger;
}

export function startUsers(options: UsersOptions) {
  const { seed } = options;
  return serveSubgraph<UsersPrisma, Context>({
    ...options,
    migrationsDir,
    createPrisma,
    createContext: async (prisma) => ({ viewer: anonymousViewer, prisma, loaders: createLoaders(prisma) }),
    prepare: seed ? (prisma) => seedUsers(prisma, seed, options.logger) : undefined,
    schemaUrl: new URL('./schema.graphql', import.meta.url),
    resolvers,
  });
}
export { createPrisma, migrationsDir } from './data/client.js';
export { DEMO_PASSWORD, seedUsers } from './seed.js';
