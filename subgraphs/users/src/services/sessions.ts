import { randomUUID } from 'node:crypto';
import { requireUser } from '@shop/auth';
import { AppError, badUserInput, ErrorCode } from '@shop/errors';
import { z } from 'zod';
import { parseInput } from '@shop/graphql-kit';
import type { User } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { createSession, findSessionByTokenHash, revokeFamily, rotateSession } from '../data/sessions.js';
import { changePasswordElsewhereSignedOut, createUser, findUserByEmail } from '../data/users.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { hashSecret, issueAccessToken, newSecret, REFRESH_TOKEN_PREFIX } from './tokens.js';
import { emailInput, nameInput, passwordInput, usernameInput } from './validation.js';
import { conflictOnUniqueViolation } from '@shop/db';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

const invalidCredentials = () => new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid email or password');
const wrongCurrentPassword = () => new AppError(ErrorCode.WRONG_CURRENT_PASSWORD, 'The current password is not right; the password is unchanged');
const invalidRefreshToken = () => new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid or expired refresh token');

const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000);

async function tokensFor(ctx: Context, user: User, familyId: string, refreshToken: string): Promise<AuthPayload> {
  const { tokens } = ctx.accounts;
  ctx.signedInUserId = user.id;
  return {
    accessToken: issueAccessToken(tokens, { userId: user.id, sessionId: familyId }),
    refreshToken,
    expiresIn: tokens.accessTokenTtlSeconds,
    user,
  };
}

/** A new session family: the first refresh token of one sign-in. */
async function startSession(ctx: Context, user: User): Promise<AuthPayload> {
  const refreshToken = newSecret(REFRESH_TOKEN_PREFIX);
  const familyId = randomUUID();
  await createSession(ctx.prisma, {
    userId: user.id,
    familyId,
    tokenHash: hashSecret(refreshToken),
    expiresAt: secondsFromNow(ctx.accounts.tokens.refreshTokenTtlSeconds),
  });
  return tokensFor(ctx, user, familyId, refreshToken);
}

const registration = z.object({
  email: emailInput,
  username: usernameInput,
  password: passwordInput,
  firstName: nameInput.nullish(),
  lastName: nameInput.nullish(),
});

/**
 * One answer for a taken email and a taken username, so that it names neither; a client may
 * ask only a few times a window, counted before the password is hashed (docs/adr/0010).
 */
export async function register(ctx: Context, input: unknown): Promise<AuthPayload> {
  const { password, ...profile } = parseInput(registration, input);
  await ctx.accounts.registrationLimiter.admit(ctx.clientIp);
  const passwordHash = await hashPassword(password);
  // The unique indexes decide, so two concurrent registrations cannot both win.
  const user = await conflictOnUniqueViolation(
    createUser(ctx.prisma, { ...profile, passwordHash, role: 'USER' }),
    'That email or username is already taken',
  );
  return startSession(ctx, user);
}

/** A password to check, not to set: only bounded, so a huge one cannot make argon2 the denial of service. */
export const currentPasswordInput = z.string().max(1024);

const credentials = z.object({ email: emailInput, password: currentPasswordInput });

/**
 * One answer for an unknown email, a wrong password and a deactivated account, after the
 * same argon2 work in each case. The attempt counts as a failure before the password is
 * checked, so concurrent guesses cannot get past the limits.
 */
export async function login(ctx: Context, input: unknown): Promise<AuthPayload> {
  const { email, password } = parseInput(credentials, input);
  const attempt = await ctx.accounts.loginLimiter.admit(email, ctx.clientIp);
  const user = await findUserByEmail(ctx.prisma, email);
  const passwordMatches = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !passwordMatches || !user.isActive) throw invalidCredentials();
  await attempt.succeeded();
  return startSession(ctx, user);
}

/**
 * Rotation with reuse detection: each refresh token works once. Presenting one that was
 * already used means it was copied, so the whole family (every token of that sign-in,
 * the thief's and the owner's) is revoked. Rotation keeps the family's expiry: a sign-in
 * lasts the refresh-token lifetime, however often it is refreshed.
 */
export async function refresh(ctx: Context, refreshToken: string): Promise<AuthPayload> {
  const session = await findSessionByTokenHash(ctx.prisma, hashSecret(refreshToken));
  const now = new Date();
  if (!session || session.revokedAt || session.expiresAt <= now || !session.user.isActive) throw invalidRefreshToken();
  if (session.rotatedAt) {
    await revokeFamily(ctx.prisma, session.familyId, now);
    throw invalidRefreshToken();
  }
  const successorToken = newSecret(REFRESH_TOKEN_PREFIX);
  const successor = await rotateSession(
    ctx.prisma,
    session.id,
    {
      userId: session.userId,
      familyId: session.familyId,
      tokenHash: hashSecret(successorToken),
      // The sign-in's end, not a new one: a session kept busy (or a stolen token kept in use) still ends.
      expiresAt: session.expiresAt,
    },
    now,
  );
  if (!successor) {
    // Lost a race with another use of the same token: that is reuse too.
    await revokeFamily(ctx.prisma, session.familyId, now);
    throw invalidRefreshToken();
  }
  return tokensFor(ctx, session.user, session.familyId, successorToken);
}

/** Ends the caller's own session of this token; someone else's token is left alone. */
export async function logout(ctx: Context, refreshToken: string): Promise<boolean> {
  const { userId } = requireUser(ctx.viewer);
  const session = await findSessionByTokenHash(ctx.prisma, hashSecret(refreshToken));
  if (!session || session.userId !== userId) return false;
  const revoked = await revokeFamily(ctx.prisma, session.familyId, new Date());
  return revoked.count > 0;
}

/**
 * The signed-in caller's account, once `password` proved to be its password: checked as a
 * sign-in checks it, under the same throttle (the attempt counts as a failure until it proves
 * right), so a stolen access token cannot be used to guess the password faster than the login
 * form allows. Otherwise WRONG_CURRENT_PASSWORD.
 */
export async function provenAccount(ctx: Context, userId: string, password: string): Promise<User> {
  const user = await ctx.loaders.userById.load(userId);
  if (!user) throw wrongCurrentPassword();
  const attempt = await ctx.accounts.loginLimiter.admit(user.email, ctx.clientIp);
  if (!(await verifyPassword(user.passwordHash, password))) throw wrongCurrentPassword();
  await attempt.succeeded();
  return user;
}

/** The caller's session survives; every other one ends with the old password. */
export async function changePassword(ctx: Context, input: { currentPassword: string; newPassword: string }): Promise<boolean> {
  const viewer = requireUser(ctx.viewer);
  const currentPassword = parseInput(currentPasswordInput, input.currentPassword, 'currentPassword');
  const newPassword = parseInput(passwordInput, input.newPassword, 'newPassword');
  if (newPassword === currentPassword) throw badUserInput('newPassword must differ from the current password', 'newPassword');
  const user = await provenAccount(ctx, viewer.userId, currentPassword);
  await changePasswordElsewhereSignedOut(ctx.prisma, user.id, await hashPassword(newPassword), viewer.sessionId, new Date());
  return true;
}
