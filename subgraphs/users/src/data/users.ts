import { EventTopic } from '@shop/contracts';
import { noteChange } from '@shop/db';
import type { PageWindow } from '@shop/graphql-kit';
import type { Prisma, Role } from '../generated/prisma/client.js';
import type { UsersPrisma } from './client.js';

// Accounts have no outbox (nothing else listens yet): changes are noted for the request,
// whose response tells the gateway's cache.
const userChanged = (userId: string | null) => noteChange({ topic: EventTopic.USER_CHANGED, payload: { userId } });

export type UserWhere = Prisma.UserWhereInput;


/** A password set otherwise voids the reset tokens asked for before it. */
const revokeOpenResets = (tx: Prisma.TransactionClient, userId: string, now: Date) =>
  tx.passwordResetRequest.updateMany({ where: { userId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });

export const findUsersByIds = (prisma: UsersPrisma, ids: readonly string[]) =>
  prisma.user.findMany({ where: { id: { in: [...ids] } } });

export const findUserByEmail = (prisma: UsersPrisma, email: string) => prisma.user.findUnique({ where: { email } });

export function createUser(prisma: UsersPrisma, data: Prisma.UserCreateInput) {
  userChanged(null);
  return prisma.user.create({ data });
}

export function updateUser(prisma: UsersPrisma, id: string, data: Prisma.UserUpdateInput) {
  userChanged(id);
  return prisma.user.update({ where: { id }, data });
}

export async function findUserPage(prisma: UsersPrisma, { where, skip, take }: PageWindow & { where: UserWhere }) {
  const [items, totalItems] = await prisma.$transaction([
    prisma.user.findMany({ where, skip, take, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] }),
    prisma.user.count({ where }),
  ]);
  return { items, totalItems };
}

export function setRole(prisma: UsersPrisma, id: string, role: Role) {
  userChanged(id);
  return prisma.user.update({ where: { id }, data: { role } });
}

/** Deactivation and the end of every session and key happen together or not at all. */
export const deactivateUserEverywhere = (prisma: UsersPrisma, id: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    userChanged(id);
    const user = await tx.user.update({ where: { id }, data: { isActive: false } });
    await tx.userSession.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
    await tx.apiKey.updateMany({ where: { ownerId: id, revokedAt: null }, data: { revokedAt: now } });
    return user;
  });

/** An admin's reset: an active admin with this password, every session of the old one ended. */
export const resetAdminEverywhere = (prisma: UsersPrisma, id: string, passwordHash: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    userChanged(id);
    await tx.userSession.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
    await revokeOpenResets(tx, id, now);
    return tx.user.update({ where: { id }, data: { passwordHash, role: 'ADMIN', isActive: true } });
  });

/**
 * A new password, and the end of every session of the account but `keptFamilyId`, together:
 * a session that knew only the old password cannot outlive the change.
 */
export const changePasswordElsewhereSignedOut = (prisma: UsersPrisma, id: string, passwordHash: string, keptFamilyId: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    userChanged(id);
    await tx.user.update({ where: { id }, data: { passwordHash } });
    await tx.userSession.updateMany({ where: { userId: id, familyId: { not: keptFamilyId }, revokedAt: null }, data: { revokedAt: now } });
    await revokeOpenResets(tx, id, now);
  });

export const isUsernameTaken = async (prisma: UsersPrisma, username: string) =>
  (await prisma.user.count({ where: { username: { equals: username, mode: 'insensitive' } } })) > 0;

export const findContact = (prisma: UsersPrisma, id: string) =>
  prisma.user.findUnique({ where: { id }, select: { email: true, firstName: true, isActive: true } });
