import type { ConsumerCheckpoints } from '@shop/events';
import type { NotificationsPrisma } from './client.js';

/** The event consumer's positions, in the worker's own database. */
export const databaseCheckpoints = (prisma: NotificationsPrisma): ConsumerCheckpoints => ({
  read: async (position) => (await prisma.consumerCheckpoint.findUnique({ where: { position } }))?.value ?? null,
  save: async (position, value) => {
    await prisma.consumerCheckpoint.upsert({ where: { position }, create: { position, value }, update: { value } });
  },
});
