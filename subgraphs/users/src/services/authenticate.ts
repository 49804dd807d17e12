import type { Viewer } from '@shop/auth';
import type { AccessTokenConfig } from '@shop/config';
import type { ParsedRequestOf, credentialCheck } from '@shop/contracts';
import type { UsersPrisma } from '../data/client.js';
import { findApiKeyByHash, touchApiKey } from '../data/api-keys.js';
import { isFamilyActive } from '../data/sessions.js';
import { findUsersByIds } from '../data/users.js';
import { hashSecret, verifyAccessToken } from './tokens.js';

/** Recording every use would write on every request; a minute's precision is plenty. */
const LAST_USED_PRECISION_MS = 60_000;

/**
 * Turns a credential into a viewer, or null when it is not (or no longer) valid. The role
 * comes from the database, not the token, so a role change or a deactivation takes effect
 * on the next check rather than when the token expires.
 */
export async function viewerForCredential(
  prisma: UsersPrisma,
  tokens: AccessTokenConfig,
  credential: ParsedRequestOf<typeof credentialCheck>,
): Promise<Viewer | null> {
  const now = new Date();
  if ('accessToken' in credential) {
    const claims = verifyAccessToken(tokens, credential.accessToken);
    if (!claims) return null;
    const [[user], active] = await Promise.all([
      findUsersByIds(prisma, [claims.userId]),
      isFamilyActive(prisma, claims.userId, claims.sessionId, now),
    ]);
    if (!user?.isActive || !active) return null;
    return { kind: 'user', userId: user.id, role: user.role, sessionId: claims.sessionId };
  }
  const key = await findApiKeyByHash(prisma, hashSecret(credential.apiKey));
  if (!key || key.revokedAt || !key.owner.isActive || key.owner.role !== 'PARTNER') return null;
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await touchApiKey(prisma, key.id, now);
  }
  return { kind: 'partner', apiKeyId: key.id, ownerId: key.ownerId, scopes: key.scopes, costBudget: key.costBudget };
}
