import { createHmac, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { KeyRing } from '@shop/config';
import { jwtVerify, SignJWT } from 'jose';
import { signJwt, verifyJwt } from '../src/index.js';

const key = (kid: string) => ({ kid, secret: new TextEncoder().encode(randomBytes(32).toString('hex')) });
const current = key('current');
const previous = key('previous');
const keys: KeyRing = { signing: current, verifying: new Map([current, previous].map((entry) => [entry.kid, entry])) };
const purpose = { issuer: 'shop-test', audience: 'shop-api' };
const options = { maxAgeSeconds: 60, requiredClaims: ['sub'] };
const now = () => Math.floor(Date.now() / 1000);

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token made by hand: any header, any claims, signed with `secret` (HMAC-SHA256 unless told). */
function forged(header: object, claims: object, secret = current.secret, hash = 'sha256'): string {
  const input = `${segment(header)}.${segment(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}
const validHeader = { alg: 'HS256', kid: 'current', typ: 'JWT' };
const validClaims = () => ({ sub: 'user-1', iss: purpose.issuer, aud: purpose.audience, iat: now(), exp: now() + 60 });

afterEach(() => {
  jest.useRealTimers();
});

describe('JWT (HS256 with node:crypto)', () => {
  it('verifies what it signs, with the claims given and the registered ones set', () => {
    const payload = verifyJwt(keys, purpose, signJwt(keys, purpose, { sub: 'user-1', sid: 's' }, 60), options);
    expect(payload).toMatchObject({ sub: 'user-1', sid: 's', iss: purpose.issuer, aud: purpose.audience });
    expect(payload!.exp! - payload!.iat!).toBe(60);
  });

  it('accepts a token signed by a key still in the verifying ring (rotation), refuses an unknown kid', () => {
    expect(verifyJwt(keys, purpose, forged({ ...validHeader, kid: 'previous' }, validClaims(), previous.secret), options)).not.toBeNull();
    expect(verifyJwt(keys, purpose, forged({ ...validHeader, kid: 'gone' }, validClaims(), randomBytes(32)), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged({ alg: 'HS256', typ: 'JWT' }, validClaims()), options)).toBeNull();
  });

  it('refuses a tampered signature, payload or header', () => {
    const token = signJwt(keys, purpose, { sub: 'user-1' }, 60);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(verifyJwt(keys, purpose, `${header}.${payload}.${flipped}`, options)).toBeNull();
    expect(verifyJwt(keys, purpose, `${header}.${payload}.${signature.slice(0, -4)}`, options)).toBeNull();
    expect(verifyJwt(keys, purpose, `${header}.${payload}.`, options)).toBeNull();
    expect(verifyJwt(keys, purpose, `${header}.${segment({ ...validClaims(), sub: 'admin' })}.${signature}`, options)).toBeNull();
    expect(verifyJwt(keys, purpose, `${segment({ ...validHeader, kid: 'previous' })}.${payload}.${signature}`, options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, validClaims(), randomBytes(32)), options)).toBeNull();
    expect(verifyJwt(keys, purpose, `${token}.extra`, options)).toBeNull();
    expect(verifyJwt(keys, purpose, 'not a token', options)).toBeNull();
  });

  it('accepts only the canonical spelling of a signature (no second token for the same bytes)', () => {
    const token = signJwt(keys, purpose, { sub: 'user-1' }, 60);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // 32 bytes take 43 characters: the last one carries 2 spare bits that decode to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const respelled = `${signature.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
    expect(verifyJwt(keys, purpose, token, options)).not.toBeNull();
    expect(verifyJwt(keys, purpose, `${header}.${payload}.${respelled}`, options)).toBeNull();
  });

  it('refuses alg none and any algorithm but HS256', () => {
    const unsigned = `${segment({ alg: 'none', typ: 'JWT' })}.${segment(validClaims())}.`;
    expect(verifyJwt(keys, purpose, unsigned, options)).toBeNull();
    expect(verifyJwt(keys, purpose, `${segment({ alg: 'none', kid: 'current' })}.${segment(validClaims())}.`, options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged({ ...validHeader, alg: 'HS512' }, validClaims(), current.secret, 'sha512'), options)).toBeNull();
    // The right HMAC under another name: the algorithm is pinned, not read from the header.
    expect(verifyJwt(keys, purpose, forged({ ...validHeader, alg: 'HS384' }, validClaims()), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged({ ...validHeader, alg: 'RS256' }, validClaims()), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged({ ...validHeader, crit: ['exp'] }, validClaims()), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged({ ...validHeader, typ: 'at+jwt' }, validClaims()), options)).toBeNull();
  });

  it('refuses an expired token, one not yet valid, and one older than its purpose allows', () => {
    const at = now();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), iat: at - 30, exp: at - 5 }), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), nbf: at + 30 }), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), nbf: 'soon' }), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), iat: at - 600, exp: at + 600 }), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), iat: at + 30, exp: at + 90 }), options)).toBeNull();
    // Within the clock tolerance of two seconds, either way.
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), nbf: at + 1, iat: at + 1 }), options)).not.toBeNull();
  });

  it('expires a token it signed once its lifetime has passed', () => {
    jest.useFakeTimers({ now: Date.now() });
    const token = signJwt(keys, purpose, { sub: 'user-1' }, 10);
    jest.setSystemTime(Date.now() + 11_000);
    expect(verifyJwt(keys, purpose, token, options)).not.toBeNull();
    jest.setSystemTime(Date.now() + 2_000);
    expect(verifyJwt(keys, purpose, token, options)).toBeNull();
  });

  it('refuses another issuer, another audience, and a token missing a required claim', () => {
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), iss: 'shop-other' }), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), aud: 'catalog' }), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), aud: ['catalog', 'orders'] }), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), aud: ['catalog', purpose.audience] }), options)).not.toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), sub: undefined }), options)).toBeNull();
    const withoutExp: Record<string, unknown> = validClaims();
    delete withoutExp.exp;
    expect(verifyJwt(keys, purpose, forged(validHeader, withoutExp), options)).toBeNull();
    expect(verifyJwt(keys, purpose, forged(validHeader, { ...validClaims(), exp: String(now() + 60) }), options)).toBeNull();
  });

  it('reads tokens signed by jose and signs tokens jose accepts (tokens in flight across a deploy)', async () => {
    const signedByJose = await new SignJWT({ sub: 'user-1' })
      .setProtectedHeader({ alg: 'HS256', kid: 'current', typ: 'JWT' })
      .setIssuer(purpose.issuer)
      .setAudience(purpose.audience)
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(current.secret);
    expect(verifyJwt(keys, purpose, signedByJose, options)).toMatchObject({ sub: 'user-1' });
    const { payload } = await jwtVerify(signJwt(keys, purpose, { sub: 'user-2' }, 60), current.secret, { ...purpose, algorithms: ['HS256'] });
    expect(payload.sub).toBe('user-2');
  });
});
