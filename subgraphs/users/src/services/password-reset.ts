import { setTimeout as sleep } from 'node:timers/promises';
import type { AnswerToSend, ParsedRequestOf, passwordResetToken } from '@shop/contracts';
import { AppError, ErrorCode } from '@shop/errors';
import { parseInput } from '@shop/graphql-kit';
import { z } from 'zod';
import type { Context } from '../context.js';
import type { UsersPrisma } from '../data/client.js';
import { createResetRequest, findResetRecipient, findResetRequest, findResetRequestByTokenHash, resetPasswordWithToken, storeResetTokenHash } from '../data/password-resets.js';
import { findUserByEmail } from '../data/users.js';
import { hashPassword } from './passwords.js';
import { hashSecret, newSecret, RESET_TOKEN_PREFIX } from './tokens.js';
import { emailInput, passwordInput } from './validation.js';

/**
 * Every admitted request is answered no sooner than this after it began. Writing a request
 * for a known account takes a few milliseconds more than finding none; the floor hides that
 * difference (as long as the write takes less), so the time of the answer does not tell
 * whether the email has an account.
 */
const ANSWER_FLOOR_MS = 200;

const invalidResetToken = () =>
  new AppError(ErrorCode.INVALID_RESET_TOKEN, 'This password reset token is unknown, expired or already used; ask for a new one');

/**
 * Starts a reset for the account of this email, if there is an active one: a request that
 * expires, and its event, from which the notifications worker emails the token (docs/adr/0035).
 * The answer is the same whether there is an account or not, and takes as long; requests are
 * counted per email and per client before anything is looked up.
 */
export async function requestPasswordReset(ctx: Context, email: string): Promise<boolean> {
  const address = parseInput(emailInput, email, 'email');
  await ctx.accounts.passwordResetLimiter.admit(address, ctx.clientIp);
  const answerAt = performance.now() + ANSWER_FLOOR_MS;
  try {
    const user = await findUserByEmail(ctx.prisma, address);
    if (user?.isActive) {
      const now = new Date();
      await createResetRequest(ctx.prisma, user.id, new Date(now.getTime() + ctx.accounts.passwordReset.tokenTtlSeconds * 1000), now);
    }
  } finally {
    await sleep(Math.max(0, answerAt - performance.now()));
  }
  return true;
}

/** A token to check, not to store: bounded so that no one makes us hash megabytes. */
const resetTokenInput = z.string().max(200);

/**
 * Sets the password with a token from a reset email: the same rules as registration's, once
 * per token, and every session of the account ends (whoever held one may be why the password
 * is being reset). A token that is unknown, expired, used or superseded gets one answer,
 * INVALID_RESET_TOKEN, before any password is hashed.
 */
export async function resetPassword(ctx: Context, input: { token: string; newPassword: string }): Promise<boolean> {
  const newPassword = parseInput(passwordInput, input.newPassword, 'newPassword');
  const token = parseInput(resetTokenInput, input.token, 'token');
  const request = await findResetRequestByTokenHash(ctx.prisma, hashSecret(token));
  if (!request || request.usedAt || request.revokedAt || request.expiresAt <= new Date() || !request.user.isActive) throw invalidResetToken();
  const passwordHash = await hashPassword(newPassword);
  if (!(await resetPasswordWithToken(ctx.prisma, request, passwordHash, new Date()))) throw invalidResetToken();
  return true;
}

/**
 * The token of a reset request, for the notifications worker to email: minted on the first
 * call, only its hash kept, and never handed out again (a second call answers null, as does a
 * request that expired or was superseded, or an account no longer active).
 */
export async function issueResetToken(
  prisma: UsersPrisma,
  { userId, resetRequestId }: ParsedRequestOf<typeof passwordResetToken>,
): Promise<AnswerToSend<typeof passwordResetToken>> {
  const [recipient, request] = await Promise.all([findResetRecipient(prisma, userId), findResetRequest(prisma, resetRequestId)]);
  if (!recipient?.isActive || !request) return { reset: null };
  const token = newSecret(RESET_TOKEN_PREFIX);
  const stored = await storeResetTokenHash(prisma, { id: request.id, userId }, hashSecret(token), new Date());
  if (stored.count === 0) return { reset: null };
  return { reset: { token, email: recipient.email, firstName: recipient.firstName, expiresAt: request.expiresAt.toISOString() } };
}
