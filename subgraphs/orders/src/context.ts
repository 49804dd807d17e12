import type { Viewer } from '@shop/auth';
import type { OrdersPrisma } from './data/client.js';
import type { OrdersLoaders } from './data/loaders.js';
import type { Placement } from './services/placement.js';

export interface Context {
  viewer: Viewer;
  prisma: OrdersPrisma;
  loaders: OrdersLoaders;
  /** The order saga, built once per process (index.ts) and shared with the recovery job. */
  placement: Placement;
}
