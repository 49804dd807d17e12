import DataLoader from 'dataloader';
import { alignById, sharedReads } from '@shop/db';
import type { User } from '../generated/prisma/client.js';
import type { UsersPrisma } from './client.js';
import { findUsersByIds } from './users.js';

/**
 * Reads by id that every request of the process shares, one statement for the ids all the
 * requests of an event-loop turn ask (docs/adr/0043). Made once, at start.
 */
export function createSharedReads(prisma: UsersPrisma) {
  return { users: sharedReads<User>(async (ids) => alignById(ids, await findUsersByIds(prisma, ids))) };
}

export type UsersSharedReads = ReturnType<typeof createSharedReads>;

/** Created per request, so caches never outlive one operation or cross callers; their reads by id go through the shared ones. */
export function createLoaders(shared: UsersSharedReads) {
  return {
    userById: new DataLoader<string, User | null>(shared.users),
  };
}

export type UsersLoaders = ReturnType<typeof createLoaders>;
