import DataLoader from 'dataloader';
import { alignById } from '@shop/db';
import type { User } from '../generated/prisma/client.js';
import type { UsersPrisma } from './client.js';
import { findUsersByIds } from './users.js';

/** Created per request, so batches and caches never outlive one operation or cross callers. */
export function createLoaders(prisma: UsersPrisma) {
  return {
    userById: new DataLoader<string, User | null>(async (ids) => alignById(ids, await findUsersByIds(prisma, ids))),
  };
}

export type UsersLoaders = ReturnType<typeof createLoaders>;
