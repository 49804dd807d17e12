import type { Viewer } from '@shop/auth';
import type { CatalogLoaders } from './data/loaders.js';
import type { CatalogPrisma } from './data/client.js';

export interface Context {
  viewer: Viewer;
  prisma: CatalogPrisma;
  loaders: CatalogLoaders;
}
