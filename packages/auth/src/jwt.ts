import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '@shop/config';

/** Every token of ours is HMAC-SHA256; pinning it makes `alg: none` and algorithm confusion fail. */
const ALGORITHM = 'HS256';
/**
 * `iat` is in whole seconds, so a verifier whose clock is milliseconds behind the signer's
 * sees a token issued up to a second "in the future"; two seconds also absorbs a loosely
 * synchronised host without stretching a lifetime of a few seconds much.
 */
const CLOCK_TOLERANCE_SECONDS = 2;

/** The registered claims (RFC 7519) and any of our own. */
export interface JwtPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
}

export interface TokenPurpose {
  issuer: string;
  audience: string;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signatureOf = (secret: Uint8Array, signingInput: string) => createHmac('sha256', secret).update(signingInput).digest();
const now = () => Math.floor(Date.now() / 1000);

/**
 * Signed and verified with node:crypto, synchronously: one HMAC over a few hundred bytes costs
 * microseconds, and WebCrypto (through jose) made each of them a job on the thread pool and
 * a chain of promises on every subgraph request (docs/adr/0037).
 */
export function signJwt(keys: KeyRing, purpose: TokenPurpose, claims: JwtPayload, lifetimeSeconds: number): string {
  const issuedAt = now();
  const header = encode({ alg: ALGORITHM, kid: keys.signing.kid, typ: 'JWT' });
  const payload = encode({ ...claims, iss: purpose.issuer, aud: purpose.audience, iat: issuedAt, exp: issuedAt + lifetimeSeconds });
  const signingInput = `${header}.${payload}`;
  return `${signingInput}.${signatureOf(keys.signing.secret, signingInput).toString('base64url')}`;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decoded(segment: string): Record<string, unknown> | null {
  if (!BASE64URL.test(segment)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The payload of a valid, unexpired token for this purpose, or null. The key is chosen by
 * `kid` among the configured ones, so keys rotate without downtime. A token older than
 * `maxAgeSeconds` (its purpose's lifetime) is refused whatever its `exp` says. The checks
 * are jose's for the same options: HS256 only, no critical extensions, issuer and audience
 * exact, `exp` and `iat` required, `nbf` honoured, with the same clock tolerance.
 */
export function verifyJwt(
  keys: KeyRing,
  purpose: TokenPurpose,
  token: string,
  options: { maxAgeSeconds: number; requiredClaims?: string[] },
): JwtPayload | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decoded(encodedHeader);
  if (!header || header.alg !== ALGORITHM || header.crit !== undefined || (header.typ !== undefined && header.typ !== 'JWT')) return null;
  const key = typeof header.kid === 'string' ? keys.verifying.get(header.kid) : undefined;
  if (!key || !BASE64URL.test(encodedSignature)) return null;
  const signature = Buffer.from(encodedSignature, 'base64url');
  // base64url leaves spare bits in the last character: only the one canonical spelling of a signature is the token.
  if (signature.toString('base64url') !== encodedSignature) return null;
  const expected = signatureOf(key.secret, `${encodedHeader}.${encodedPayload}`);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;

  const payload = decoded(encodedPayload) as JwtPayload | null;
  if (!payload) return null;
  for (const claim of ['exp', 'iat', ...(options.requiredClaims ?? [])]) if (payload[claim] === undefined) return null;
  if (payload.iss !== purpose.issuer) return null;
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(purpose.audience)) return null;
  const at = now();
  if (!isTime(payload.exp) || payload.exp <= at - CLOCK_TOLERANCE_SECONDS) return null;
  if (payload.nbf !== undefined && (!isTime(payload.nbf) || payload.nbf > at + CLOCK_TOLERANCE_SECONDS)) return null;
  if (!isTime(payload.iat)) return null;
  const age = at - payload.iat;
  if (age - CLOCK_TOLERANCE_SECONDS > options.maxAgeSeconds || age < -CLOCK_TOLERANCE_SECONDS) return null;
  return payload;
}
