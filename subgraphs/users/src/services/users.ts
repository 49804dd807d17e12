import { isAdmin, isSelf, requireUser } from '@shop/auth';
import { AppError, badUserInput, ErrorCode, notFound } from '@shop/errors';
import { boundedText, isId, literalPattern, notNull, parseId, parseInput, readPage, type Page, type PageArgs } from '@shop/graphql-kit';
import { z } from 'zod';
import type { Role, User } from '../generated/prisma/client.js';
import type { UserFilter, UserStatus } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { deactivateUserEverywhere, deleteUserEverywhere, findUserPage, reactivateUnlessDeleted, setRole, updateActiveUser, type UserWhere } from '../data/users.js';
import { currentPasswordInput, provenAccount } from './sessions.js';
import { conflictOnUniqueViolation } from '@shop/db';
import { nameInput, usernameInput } from './validation.js';

/** The signed-in caller's own account. */
export async function getMe(ctx: Context): Promise<User | null> {
  const { userId } = requireUser(ctx.viewer);
  return ctx.loaders.userById.load(userId);
}

/** Admins read any account, users only their own; anything else reads as not found. */
export async function getUser(ctx: Context, id: string): Promise<User | null> {
  const userId = parseId(id);
  if (!isAdmin(ctx.viewer) && !isSelf(ctx.viewer, userId)) return null;
  return ctx.loaders.userById.load(userId);
}

export const getUserReference = (ctx: Context, id: string) =>
  isId(id) ? ctx.loaders.userById.load(id.toLowerCase()) : null;

/** An email address is personal data: the user and admins see it, nobody else. */
export const emailFor = (ctx: Context, user: User) =>
  isAdmin(ctx.viewer) || isSelf(ctx.viewer, user.id) || ctx.signedInUserId === user.id ? user.email : null;

const statusWhere: Record<UserStatus, UserWhere> = {
  ACTIVE: { isActive: true },
  DEACTIVATED: { isActive: false, deletedAt: null },
  DELETED: { deletedAt: { not: null } },
};

function whereOf(filter: UserFilter): UserWhere {
  const where: UserWhere = {
    ...(filter.role ? { role: filter.role } : {}),
    ...(filter.isActive != null ? { isActive: filter.isActive } : {}),
    ...(filter.status ? statusWhere[filter.status] : {}),
  };
  const search = filter.search != null ? boundedText(filter.search, 'filter.search', 100) : '';
  if (search !== '') {
    const contains = { contains: literalPattern(search), mode: 'insensitive' as const };
    where.OR = [{ email: contains }, { username: contains }, { firstName: contains }, { lastName: contains }];
  }
  return where;
}

export async function listUsers(ctx: Context, args: PageArgs & { filter?: UserFilter | null }): Promise<Page<User>> {
  const page = await readPage(args, (window) => findUserPage(ctx.prisma, { where: whereOf(args.filter ?? {}), ...window }));
  page.items.forEach((user) => ctx.loaders.userById.prime(user.id, user));
  return page;
}

const profileChanges = z.object({
  username: notNull(usernameInput).optional(),
  firstName: nameInput.nullish(),
  lastName: nameInput.nullish(),
});

/**
 * A session of an account deleted or deactivated moments ago: the gateway may honour its access
 * token for up to CREDENTIAL_CACHE_MS, but it writes no personal data back.
 */
export const accountGone = () => new AppError(ErrorCode.UNAUTHENTICATED, 'This account is no longer active');

export async function updateProfile(ctx: Context, input: unknown): Promise<User> {
  const { userId } = requireUser(ctx.viewer);
  const changes = parseInput(profileChanges, input);
  const { count } = await conflictOnUniqueViolation(
    updateActiveUser(ctx.prisma, userId, {
      ...(changes.username !== undefined ? { username: changes.username } : {}),
      ...(changes.firstName !== undefined ? { firstName: changes.firstName } : {}),
      ...(changes.lastName !== undefined ? { lastName: changes.lastName } : {}),
    }),
    'That username is already taken',
  );
  if (count === 0) throw accountGone();
  ctx.loaders.userById.clear(userId);
  return (await ctx.loaders.userById.load(userId))!;
}

/** ACTIVE, DEACTIVATED (an admin may reactivate it) or DELETED (final). */
export const statusOf = (user: User): UserStatus => (user.deletedAt ? 'DELETED' : user.isActive ? 'ACTIVE' : 'DEACTIVATED');

/** An admin cannot lock itself out: its own role and activation are someone else's call. */
function otherAccount(ctx: Context, id: string, action: string): string {
  const userId = parseId(id);
  if (isSelf(ctx.viewer, userId)) throw badUserInput(`An administrator cannot ${action} its own account`, 'id');
  return userId;
}

async function existing(ctx: Context, userId: string): Promise<User> {
  const user = await ctx.loaders.userById.load(userId);
  if (!user) throw notFound('User');
  return user;
}

export async function setUserRole(ctx: Context, id: string, role: Role): Promise<User> {
  const userId = otherAccount(ctx, id, 'change the role of');
  await existing(ctx, userId);
  return setRole(ctx.prisma, userId, role);
}

/** Immediate: sessions and API keys are revoked in the same transaction. */
export async function deactivateUser(ctx: Context, id: string): Promise<User> {
  const userId = otherAccount(ctx, id, 'deactivate');
  await existing(ctx, userId);
  return deactivateUserEverywhere(ctx.prisma, userId, new Date());
}

/** A deactivated account may sign in again (its sessions and keys stay revoked); a deleted one never. */
export async function reactivateUser(ctx: Context, id: string): Promise<User> {
  const userId = parseId(id);
  await existing(ctx, userId);
  const { count } = await reactivateUnlessDeleted(ctx.prisma, userId);
  if (count === 0) throw new AppError(ErrorCode.CONFLICT, 'This account was deleted: it cannot be reactivated');
  ctx.loaders.userById.clear(userId);
  return (await ctx.loaders.userById.load(userId))!;
}

/**
 * An admin deletes another account (docs/adr/0035); deleting one already deleted changes
 * nothing and answers it as it is.
 */
export async function deleteUser(ctx: Context, id: string): Promise<User> {
  const userId = otherAccount(ctx, id, 'delete');
  const user = await existing(ctx, userId);
  return (await deleteUserEverywhere(ctx.prisma, userId, new Date())) ?? user;
}

/**
 * The signed-in person deletes its own account, proving it with the password (a wrong one is
 * WRONG_CURRENT_PASSWORD and counts as a failed sign-in). An administrator's account is deleted
 * by another administrator, so the shop cannot lose its last one by a click.
 */
export async function deleteAccount(ctx: Context, password: string): Promise<boolean> {
  const viewer = requireUser(ctx.viewer);
  const given = parseInput(currentPasswordInput, password, 'password');
  if (viewer.role === 'ADMIN') throw new AppError(ErrorCode.FORBIDDEN, "An administrator's account is deleted by another administrator (deleteUser)");
  const user = await provenAccount(ctx, viewer.userId, given);
  await deleteUserEverywhere(ctx.prisma, user.id, new Date());
  return true;
}
