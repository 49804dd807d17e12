import { errors as joseErrors, jwtVerify, SignJWT, type CryptoKey, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { KeyRing } from '@shop/config';

/** Every token of ours is HMAC-SHA256; pinning it makes `alg: none` and algorithm confusion fail. */
const ALGORITHM = 'HS256';
/**
 * `iat` is in whole seconds, so a verifier whose clock is milliseconds behind the signer's
 * sees a token issued up to a second "in the future"; two seconds also absorbs a loosely
 * synchronised host without stretching a lifetime of a few seconds much.
 */
const CLOCK_TOLERANCE_SECONDS = 2;

/**
 * Keys imported once: handing jose raw bytes makes it import the key on every sign and
 * verify, most of their cost on a hot path that signs each subgraph fetch.
 */
const importedKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
function cryptoKeyOf(secret: Uint8Array): Promise<CryptoKey> {
  let key = importedKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    importedKeys.set(secret, key);
  }
  return key;
}

export interface TokenPurpose {
  issuer: string;
  audience: string;
}

export async function signJwt(keys: KeyRing, purpose: TokenPurpose, claims: JWTPayload, lifetimeSeconds: number): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.signing.kid, typ: 'JWT' })
    .setIssuer(purpose.issuer)
    .setAudience(purpose.audience)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(await cryptoKeyOf(keys.signing.secret));
}

/**
 * The payload of a valid, unexpired token for this purpose, or null. The key is chosen by
 * `kid` among the configured ones, so keys rotate without downtime. A token older than
 * `maxAgeSeconds` (its purpose's lifetime) is refused whatever its `exp` says.
 */
export async function verifyJwt(
  keys: KeyRing,
  purpose: TokenPurpose,
  token: string,
  options: { maxAgeSeconds: number; requiredClaims?: string[] },
): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid ? keys.verifying.get(header.kid) : undefined;
        if (!key) throw new joseErrors.JWSSignatureVerificationFailed('unknown key id');
        return cryptoKeyOf(key.secret);
      },
      {
        algorithms: [ALGORITHM],
        issuer: purpose.issuer,
        audience: purpose.audience,
        requiredClaims: ['exp', 'iat', ...(options.requiredClaims ?? [])],
        maxTokenAge: options.maxAgeSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      },
    );
    return payload;
  } catch {
    return null;
  }
}
