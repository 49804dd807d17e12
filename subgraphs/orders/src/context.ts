import type { Viewer } from '@shop/auth';
import type { Logger } from '@shop/logging';
import type { CatalogClient } from './data/catalog-client.js';
import type { OrdersPrisma } from './data/client.js';
import type { OrdersLoaders } from './data/loaders.js';
import type { PlacementHooks } from './services/placement.js';

export interface Context {
  viewer: Viewer;
  prisma: OrdersPrisma;
  loaders: OrdersLoaders;
  catalog: CatalogClient;
  logger: Logger;
  hooks?: PlacementHooks;
}
