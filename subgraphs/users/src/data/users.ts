import type { UsersPrisma } from './client.js';

export const findUsersByIds = (prisma: UsersPrisma, ids: readonly string[]) =>
  prisma.user.findMany({ where: { id: { in: [...ids] } } });
