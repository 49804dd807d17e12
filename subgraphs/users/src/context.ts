import type { Viewer } from '@shop/auth';
import type { UsersPrisma } from './data/client.js';
import type { UsersLoaders } from './data/loaders.js';

export interface Context {
  viewer: Viewer;
  prisma: UsersPrisma;
  loaders: UsersLoaders;
}
