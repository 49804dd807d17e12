import type { Viewer } from '@shop/auth';
import type { CatalogLoaders } from './data/loaders.js';
import type { CatalogPrisma } from './data/client.js';

export interface Context {
  viewer: Viewer;
  prisma: CatalogPrisma;
  loaders: CatalogLoaders;
  /** How old a change must be before partners' sync returns it (services/sync.ts). */
  syncSettleMs: number;
}
