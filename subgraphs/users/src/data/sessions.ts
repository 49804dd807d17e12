import type { UsersPrisma } from './client.js';

export interface NewSession {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

export const createSession = (prisma: UsersPrisma, session: NewSession) => prisma.userSession.create({ data: session });

export const findSessionByTokenHash = (prisma: UsersPrisma, tokenHash: string) =>
  prisma.userSession.findUnique({ where: { tokenHash }, include: { user: true } });

/**
 * Marks a refresh token used and issues its successor in one transaction. The conditional
 * update is the guard against a race: of two concurrent uses, one rotates, the other gets
 * null (and is treated as reuse).
 */
export const rotateSession = (prisma: UsersPrisma, sessionId: string, successor: NewSession, now: Date) =>
  prisma.$transaction(async (tx) => {
    const used = await tx.userSession.updateMany({
      where: { id: sessionId, rotatedAt: null, revokedAt: null },
      data: { rotatedAt: now },
    });
    if (used.count === 0) return null;
    return tx.userSession.create({ data: successor });
  });

export const revokeFamily = (prisma: UsersPrisma, familyId: string, now: Date) =>
  prisma.userSession.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });

/**
 * A family is signed in while its newest token is neither used, revoked nor expired, and
 * only for the user who signed in: another user's family is not theirs.
 */
export async function isFamilyActive(prisma: UsersPrisma, userId: string, familyId: string, now: Date): Promise<boolean> {
  const current = await prisma.userSession.count({
    where: { userId, familyId, rotatedAt: null, revokedAt: null, expiresAt: { gt: now } },
  });
  return current > 0;
}
