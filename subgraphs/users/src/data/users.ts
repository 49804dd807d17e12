import { EventTopic } from '@shop/contracts';
import { noteChange, writeEvent } from '@shop/db';
import type { PageWindow } from '@shop/graphql-kit';
import { Prisma, type Role, type User } from '../generated/prisma/client.js';
import type { UsersPrisma } from './client.js';

// Profile, role and status changes are the request's only: noted for it, whose response tells
// the gateway's cache. Only a deletion is an outbox event (others keep data about the account).
const userChanged = (userId: string | null) => noteChange({ topic: EventTopic.USER_CHANGED, payload: { userId } });

export type UserWhere = Prisma.UserWhereInput;


/** A password set otherwise voids the reset tokens asked for before it. */
const revokeOpenResets = (tx: Prisma.TransactionClient, userId: string, now: Date) =>
  tx.passwordResetRequest.updateMany({ where: { userId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });

/** The hot read of Me and of `_entities`: one indexed statement, raw (docs/adr/0038). */
export const findUsersByIds = (prisma: UsersPrisma, ids: readonly string[]) =>
  prisma.$readRows<User[]>(Prisma.sql`
    SELECT id, email, username, password_hash AS "passwordHash", first_name AS "firstName", last_name AS "lastName", role,
      is_active AS "isActive", deleted_at AS "deletedAt", created_at AS "createdAt", updated_at AS "updatedAt",
      default_address_id AS "defaultAddressId"
    FROM users WHERE id = ANY(${[...ids]}::uuid[])`);

export const findUserByEmail = (prisma: UsersPrisma, email: string) => prisma.user.findUnique({ where: { email } });

export function createUser(prisma: UsersPrisma, data: Prisma.UserCreateInput) {
  userChanged(null);
  return prisma.user.create({ data });
}

/** Only an active account's: the count says whether it was (a deleted one's data stays erased). */
export function updateActiveUser(prisma: UsersPrisma, id: string, data: Prisma.UserUpdateManyMutationInput) {
  userChanged(id);
  return prisma.user.updateMany({ where: { id, isActive: true }, data });
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

/** What a deleted account's email becomes: unique, and in a domain no mail can reach (RFC 2606's `.invalid`). */
export const deletedEmail = (id: string) => `deleted-${id}@deleted.invalid`;

/** No argon2 hash looks like this: no password ever matches it. */
const UNUSABLE_PASSWORD_HASH = '!deleted';

/**
 * The end of an account (docs/adr/0035), in one transaction: its personal data replaced
 * (email, username) or erased (names, addresses, open password resets), its password made
 * unusable, every session and API key revoked, the account DELETED for good, and `user.deleted`
 * written for the services that keep data about it (orders). Null when it was deleted already.
 */
export const deleteUserEverywhere = (prisma: UsersPrisma, id: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    const erased = await tx.user.updateMany({
      where: { id, deletedAt: null },
      data: {
        email: deletedEmail(id),
        username: `deleted-${id}`,
        firstName: null,
        lastName: null,
        passwordHash: UNUSABLE_PASSWORD_HASH,
        isActive: false,
        deletedAt: now,
        defaultAddressId: null,
      },
    });
    if (erased.count === 0) return null;
    await tx.address.deleteMany({ where: { userId: id } });
    await tx.passwordResetRequest.deleteMany({ where: { userId: id } });
    await tx.userSession.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
    await tx.apiKey.updateMany({ where: { ownerId: id, revokedAt: null }, data: { revokedAt: now } });
    await writeEvent(tx, EventTopic.USER_DELETED, id, { userId: id });
    return tx.user.findUniqueOrThrow({ where: { id } });
  });

/** Active again, unless deleted (the count says whether it was): a deleted account stays deleted. */
export function reactivateUnlessDeleted(prisma: UsersPrisma, id: string) {
  userChanged(id);
  return prisma.user.updateMany({ where: { id, deletedAt: null }, data: { isActive: true } });
}

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
