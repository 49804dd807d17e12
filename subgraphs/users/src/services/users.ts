import { isAdmin, isSelf, requireAdmin, requireUser } from '@shop/auth';
import { isId, parseId } from '@shop/graphql-kit';
import type { User } from '../generated/prisma/client.js';
import type { Context } from '../context.js';

/** The signed-in caller's own account. */
export async function getMe(ctx: Context): Promise<User | null> {
  const { userId } = requireUser(ctx.viewer);
  return ctx.loaders.userById.load(userId);
}

/** Admins read any account, users only their own; anything else reads as not found. */
export async function getUser(ctx: Context, id: string): Promise<User | null> {
  requireUser(ctx.viewer);
  const userId = parseId(id);
  if (!isAdmin(ctx.viewer) && !isSelf(ctx.viewer, userId)) return null;
  return ctx.loaders.userById.load(userId);
}

export function assertCanListUsers(ctx: Context): void {
  requireAdmin(ctx.viewer);
}

export const getUserReference = (ctx: Context, id: string) =>
  isId(id) ? ctx.loaders.userById.load(id.toLowerCase()) : null;

/** An email address is personal data: the user and admins see it, nobody else. */
export const emailFor = (ctx: Context, user: User) =>
  isAdmin(ctx.viewer) || isSelf(ctx.viewer, user.id) ? user.email : null;
