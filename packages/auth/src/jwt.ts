import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { KeyRing } from '@shop/config';

/** Every token of ours is HMAC-SHA256; pinning it makes `alg: none` and algorithm confusion fail. */
const ALGORITHM = 'HS256';

export interface TokenPurpose {
  issuer: string;
  audience: string;
}

export function signJwt(keys: KeyRing, purpose: TokenPurpose, claims: JWTPayload, lifetimeSeconds: number): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.signing.kid, typ: 'JWT' })
    .setIssuer(purpose.issuer)
    .setAudience(purpose.audience)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(keys.signing.secret);
}

/**
 * The payload of a valid, unexpired token for this purpose, or null. The key is chosen by
 * `kid` among the configured ones, so keys rotate without downtime.
 */
export async function verifyJwt(
  keys: KeyRing,
  purpose: TokenPurpose,
  token: string,
  options: { requiredClaims?: string[]; maxTokenAgeSeconds?: number } = {},
): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid ? keys.verifying.get(header.kid) : undefined;
        if (!key) throw new joseErrors.JWSSignatureVerificationFailed('unknown key id');
        return key.secret;
      },
      {
        algorithms: [ALGORITHM],
        issuer: purpose.issuer,
        audience: purpose.audience,
        requiredClaims: ['exp', 'iat', ...(options.requiredClaims ?? [])],
        ...(options.maxTokenAgeSeconds ? { maxTokenAge: options.maxTokenAgeSeconds } : {}),
      },
    );
    return payload;
  } catch {
    return null;
  }
}
