import type { Prisma, Role } from '../generated/prisma/client.js';
import type { UsersPrisma } from './client.js';

export type UserWhere = Prisma.UserWhereInput;

export const findUsersByIds = (prisma: UsersPrisma, ids: readonly string[]) =>
  prisma.user.findMany({ where: { id: { in: [...ids] } } });

export const findUserByEmail = (prisma: UsersPrisma, email: string) => prisma.user.findUnique({ where: { email } });

export const createUser = (prisma: UsersPrisma, data: Prisma.UserCreateInput) => prisma.user.create({ data });

export const updateUser = (prisma: UsersPrisma, id: string, data: Prisma.UserUpdateInput) =>
  prisma.user.update({ where: { id }, data });

export async function findUserPage(prisma: UsersPrisma, { where, skip, take }: { where: UserWhere; skip: number; take: number }) {
  const [items, totalItems] = await prisma.$transaction([
    prisma.user.findMany({ where, skip, take, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] }),
    prisma.user.count({ where }),
  ]);
  return { items, totalItems };
}

export const setRole = (prisma: UsersPrisma, id: string, role: Role) => prisma.user.update({ where: { id }, data: { role } });

/** Deactivation and the end of every session and key happen together or not at all. */
export const deactivateUserEverywhere = (prisma: UsersPrisma, id: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id }, data: { isActive: false } });
    await tx.userSession.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
    await tx.apiKey.updateMany({ where: { ownerId: id, revokedAt: null }, data: { revokedAt: now } });
    return user;
  });
