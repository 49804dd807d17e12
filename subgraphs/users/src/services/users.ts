import { isAdmin, isSelf, requireUser } from '@shop/auth';
import { badUserInput, notFound } from '@shop/errors';
import { boundedText, isId, literalPattern, notNull, parseId, parseInput, readPage, type Page, type PageArgs } from '@shop/graphql-kit';
import { z } from 'zod';
import type { Role, User } from '../generated/prisma/client.js';
import type { UserFilter } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { deactivateUserEverywhere, findUserPage, setRole, updateUser, type UserWhere } from '../data/users.js';
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

function whereOf(filter: UserFilter): UserWhere {
  const where: UserWhere = {
    ...(filter.role ? { role: filter.role } : {}),
    ...(filter.isActive != null ? { isActive: filter.isActive } : {}),
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

export async function updateProfile(ctx: Context, input: unknown): Promise<User> {
  const { userId } = requireUser(ctx.viewer);
  const changes = parseInput(profileChanges, input);
  return conflictOnUniqueViolation(
    updateUser(ctx.prisma, userId, {
      ...(changes.username !== undefined ? { username: changes.username } : {}),
      ...(changes.firstName !== undefined ? { firstName: changes.firstName } : {}),
      ...(changes.lastName !== undefined ? { lastName: changes.lastName } : {}),
    }),
    'That username is already taken',
  );
}

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
