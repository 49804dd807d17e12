import { EventTopic } from '@shop/contracts';
import { noteChange, writeEvent } from '@shop/db';
import type { UsersPrisma } from './client.js';

/**
 * A new reset request for the account, and its event, in one transaction; the account's
 * earlier requests stop counting (their tokens, minted or not, no longer work).
 */
export const createResetRequest = (prisma: UsersPrisma, userId: string, expiresAt: Date, now: Date) =>
  prisma.$transaction(async (tx) => {
    await tx.passwordResetRequest.updateMany({ where: { userId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
    const request = await tx.passwordResetRequest.create({ data: { userId, expiresAt, createdAt: now } });
    await writeEvent(tx, EventTopic.PASSWORD_RESET_REQUESTED, userId, { userId, resetRequestId: request.id });
    return request;
  });

/**
 * Stores the hash of the request's token, once: only a request of this user's that is still
 * open, unexpired and has none yet takes it. The count says whether it did.
 */
export const storeResetTokenHash = (prisma: UsersPrisma, request: { id: string; userId: string }, tokenHash: string, now: Date) =>
  prisma.passwordResetRequest.updateMany({
    where: { id: request.id, userId: request.userId, tokenHash: null, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { tokenHash, issuedAt: now },
  });

export const findResetRequest = (prisma: UsersPrisma, id: string) => prisma.passwordResetRequest.findUnique({ where: { id } });

/** The request a token belongs to, with its account. */
export const findResetRequestByTokenHash = (prisma: UsersPrisma, tokenHash: string) =>
  prisma.passwordResetRequest.findUnique({ where: { tokenHash }, include: { user: true } });

/**
 * Uses the token and sets the password, in one transaction: the conditional update of the
 * request is the guard, so of two resets with one token exactly one gets past it (the other
 * waits for the row, then finds it used). Every session of the account ends, and every other
 * open request with them. False: the token was not (or no longer) good.
 */
export const resetPasswordWithToken = (prisma: UsersPrisma, request: { id: string; userId: string }, passwordHash: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    const used = await tx.passwordResetRequest.updateMany({
      where: { id: request.id, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (used.count === 0) return false;
    noteChange({ topic: EventTopic.USER_CHANGED, payload: { userId: request.userId } });
    await tx.user.update({ where: { id: request.userId }, data: { passwordHash } });
    await tx.userSession.updateMany({ where: { userId: request.userId, revokedAt: null }, data: { revokedAt: now } });
    await tx.passwordResetRequest.updateMany({ where: { userId: request.userId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
    return true;
  });

/** Where the token is sent, if anywhere. */
export const findResetRecipient = (prisma: UsersPrisma, userId: string) =>
  prisma.user.findUnique({ where: { id: userId }, select: { email: true, firstName: true, isActive: true } });
