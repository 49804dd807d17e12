import type { Viewer } from '@shop/auth';
import type { OrdersPrisma } from './data/client.js';
import type { OrdersLoaders } from './data/loaders.js';

export interface Context {
  viewer: Viewer;
  prisma: OrdersPrisma;
  loaders: OrdersLoaders;
}
