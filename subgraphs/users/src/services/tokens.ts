import { createHash, randomBytes } from 'node:crypto';
import { signJwt, verifyJwt } from '@shop/auth';
import type { AccessTokenConfig } from '@shop/config';

const purpose = { issuer: 'shop-users', audience: 'shop-api' };

export interface AccessClaims {
  userId: string;
  /** The refresh-token family: revoking it ends this token's validity too. */
  sessionId: string;
}

export const issueAccessToken = (config: AccessTokenConfig, claims: AccessClaims): string =>
  signJwt(config.keys, purpose, { sub: claims.userId, sid: claims.sessionId }, config.accessTokenTtlSeconds);

/** Null for anything but a valid, unexpired access token of ours. */
export function verifyAccessToken(config: AccessTokenConfig, token: string): AccessClaims | null {
  const payload = verifyJwt(config.keys, purpose, token, { maxAgeSeconds: config.accessTokenTtlSeconds, requiredClaims: ['sub'] });
  if (!payload?.sub || typeof payload.sid !== 'string') return null;
  return { userId: payload.sub, sessionId: payload.sid };
}

/** Secrets with 256 bits of entropy: a fast hash is enough to store them (no guessing to slow down). */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export const newSecret = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export const REFRESH_TOKEN_PREFIX = 'rt_';
export const API_KEY_PREFIX = 'sk_';
export const RESET_TOKEN_PREFIX = 'pr_';
