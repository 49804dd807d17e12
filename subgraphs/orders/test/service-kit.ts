import type { Viewer } from '@shop/auth';
import { openDatabase } from '@shop/db';
import { createTestPglite } from '@shop/testing/subgraph';
import { createLogger } from '@shop/logging';
import type { Context } from '../src/context.js';
import { createLoaders, createSharedReads } from '../src/data/loaders.js';
import { createPrisma, migrationsDir } from '../src/index.js';
import { createPlacement, type PlacementHooks } from '../src/services/placement.js';
import { fakeCatalog } from './fake-catalog.js';
import { fakeUsers } from './fake-users.js';

/**
 * The orders service on its own: a migrated PGlite database of its own, an in-memory catalog
 * and users in place of those subgraphs, and the saga built once as index.ts builds it.
 */
export async function startOrdersService(hooks?: PlacementHooks) {
  const files = await createTestPglite();
  const database = await openDatabase(files.config);
  await database.migrate(migrationsDir);
  const prisma = createPrisma(database);
  const catalog = fakeCatalog();
  const users = fakeUsers();
  const logger = createLogger('test-orders', 'silent');
  const placement = createPlacement({ prisma, catalog: catalog.client, users: users.client, logger, hooks });
  const shared = createSharedReads(prisma, catalog.client);
  return {
    prisma,
    catalog,
    users,
    placement,
    logger,
    /** A request's context for `viewer`, with fresh loaders as each request gets. */
    contextFor: (viewer: Viewer): Context => ({ viewer, prisma, loaders: createLoaders(prisma, shared), placement }),
    stop: async () => {
      await prisma.$disconnect();
      await database.close();
      await files.drop();
    },
  };
}

export type OrdersService = Awaited<ReturnType<typeof startOrdersService>>;
