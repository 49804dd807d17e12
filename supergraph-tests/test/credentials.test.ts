import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { userBuilders, type UserBuilders } from '@shop/users/testing';
import {
  contractOperation,
  errorCodes,
  partnerWithKey,
  persistedRequest,
  signedInUser,
  signIn,
  startTestSupergraph,
  oneTestBackend,
  TEST_CREDENTIAL_CACHE_MS,
  withinCredentialCache,
  testKeyRing,
  type GraphQLResponse,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';
import manifest from '../../schema/partner-manifest.json' with { type: 'json' };
import { createAuthenticator } from '@shop/gateway/credentials';

const ME = 'query { me { id role } }';
const partnerProductId = manifest.operations.find((operation) => operation.name === 'PartnerCategories')!.id;


function expectUnauthenticated(response: GraphQLResponse<unknown>) {
  expect(response.status).toBe(401);
  expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  expect(response.data ?? null).toBeNull();
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each([oneTestBackend()])('credential attacks at the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: UserBuilders;
  let session: SignedIn;
  let familyId: string;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, { credentialCacheMs: TEST_CREDENTIAL_CACHE_MS });
    build = userBuilders(supergraph.users.prisma);
    session = await signedInUser(supergraph);
    familyId = (await supergraph.users.prisma.userSession.findFirstOrThrow({ where: { userId: session.userId } })).familyId;
  });
  afterAll(() => supergraph?.stop());

  const meWith = (accessToken: string) => supergraph.request({ query: ME, headers: { authorization: `Bearer ${accessToken}` } });

  /** An access token as the users subgraph would sign it, with parts changed by the test. */
  function accessToken(change: { key?: Uint8Array; kid?: string; audience?: string; issuer?: string; expiresAt?: number; alg?: string } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const { signing } = supergraph.tokens.keys;
    return new SignJWT({ sid: familyId })
      .setProtectedHeader({ alg: change.alg ?? 'HS256', kid: change.kid ?? signing.kid })
      .setSubject(session.userId)
      .setIssuer(change.issuer ?? 'shop-users')
      .setAudience(change.audience ?? 'shop-api')
      .setIssuedAt(now - 5)
      .setExpirationTime(change.expiresAt ?? now + 600)
      .sign(change.key ?? signing.secret);
  }

  it('accepts a well-formed token (the forging helper is right)', async () => {
    const response = await meWith(await accessToken());
    expect(response.data).toEqual({ me: { id: session.userId, role: 'USER' } });
  });

  it('refuses an expired access token', async () => {
    // Past the two seconds of clock skew every verifier allows (docs/adr/0011).
    expectUnauthenticated(await meWith(await accessToken({ expiresAt: Math.floor(Date.now() / 1000) - 3 })));
  });

  it('refuses a token signed with another key under the right key id', async () => {
    expectUnauthenticated(await meWith(await accessToken({ key: testKeyRing().signing.secret })));
  });

  it('refuses an unknown key id', async () => {
    expectUnauthenticated(await meWith(await accessToken({ kid: 'someone-elses' })));
  });

  it('refuses a token for another audience or from another issuer', async () => {
    expectUnauthenticated(await meWith(await accessToken({ audience: 'another-api' })));
    expectUnauthenticated(await meWith(await accessToken({ issuer: 'someone-else' })));
  });

  it('refuses alg: none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: session.userId, sid: familyId, iss: 'shop-users', aud: 'shop-api', iat: now, exp: now + 600 })}.`;
    expectUnauthenticated(await meWith(unsigned));
  });

  it('refuses another algorithm with the same secret (algorithm confusion)', async () => {
    expectUnauthenticated(await meWith(await accessToken({ alg: 'HS512' })));
  });

  it('refuses a malformed Authorization header and two credentials at once', async () => {
    expectUnauthenticated(await supergraph.request({ query: ME, headers: { authorization: `Token ${session.accessToken}` } }));
    expectUnauthenticated(await supergraph.request({ query: ME, headers: { ...session.headers, 'x-api-key': 'sk_x' } }));
  });

  it("stops a deactivated user's still-valid access token within seconds", async () => {
    const victim = await signedInUser(supergraph);
    const admin = await signedInUser(supergraph, 'ADMIN');
    expect((await supergraph.request({ query: ME, headers: victim.headers })).data).toEqual({ me: { id: victim.userId, role: 'USER' } });
    const deactivated = await supergraph.request({ query: contractOperation('admin', 'DeactivateUser'), variables: { id: victim.userId }, headers: admin.headers });
    expect(deactivated.data).toEqual({ deactivateUser: { id: victim.userId, isActive: false } });
    await withinCredentialCache(async () => expectUnauthenticated(await supergraph.request({ query: ME, headers: victim.headers })));
    expect(errorCodes(await supergraph.request({ query: contractOperation('frontend', 'RefreshToken'), variables: { refreshToken: victim.refreshToken } }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('stops the access token of a logged-out session within seconds', async () => {
    const user = await build.user();
    const signedIn = await signIn(supergraph, user.email);
    await supergraph.request({ query: contractOperation('frontend', 'Logout'), variables: { refreshToken: signedIn.refreshToken }, headers: signedIn.headers });
    await withinCredentialCache(async () => expectUnauthenticated(await supergraph.request({ query: ME, headers: signedIn.headers })));
  });

  it("stops the access tokens of a user's other sessions within seconds of a password change, not the caller's", async () => {
    const user = await build.user();
    const [kept, other] = [await signIn(supergraph, user.email), await signIn(supergraph, user.email)];
    const changed = await supergraph.request({
      query: contractOperation('frontend', 'ChangePassword'),
      variables: { currentPassword: user.password, newPassword: 'another long passphrase' },
      headers: kept.headers,
    });
    expect(changed.data).toEqual({ changePassword: true });
    await withinCredentialCache(async () => expectUnauthenticated(await supergraph.request({ query: ME, headers: other.headers })));
    expect((await supergraph.request({ query: ME, headers: kept.headers })).data).toEqual({ me: { id: user.id, role: 'USER' } });
  });

  it('applies a role change to existing tokens within seconds', async () => {
    const promoted = await signedInUser(supergraph);
    const admin = await signedInUser(supergraph, 'ADMIN');
    const users = { query: 'query { users(limit: 1) { meta { totalItems } } }', headers: promoted.headers };
    expect(errorCodes(await supergraph.request(users))).toEqual(['FORBIDDEN']);
    await supergraph.request({ query: contractOperation('admin', 'SetUserRole'), variables: { id: promoted.userId, role: 'ADMIN' }, headers: admin.headers });
    await withinCredentialCache(async () => expect((await supergraph.request(users)).errors).toBeUndefined());
  });

  it('stops a revoked API key within seconds', async () => {
    const partner = await partnerWithKey(supergraph);
    const admin = await signedInUser(supergraph, 'ADMIN');
    const run = () => supergraph.request(persistedRequest(partnerProductId, {}, partner.headers));
    expect((await run()).errors).toBeUndefined();
    const revoked = await supergraph.request<{ revokeApiKey: { id: string; revokedAt: string | null } }>({
      query: contractOperation('admin', 'RevokeApiKey'),
      variables: { id: partner.apiKey.id },
      headers: admin.headers,
    });
    expect(revoked.data!.revokeApiKey.revokedAt).toEqual(expect.any(String));
    await withinCredentialCache(async () => expectUnauthenticated(await run()));
  });

  it('refuses an unknown API key', async () => {
    expectUnauthenticated(await supergraph.request(persistedRequest(partnerProductId, {}, { 'x-api-key': 'sk_not-a-key' })));
  });
});

describe('a credential check that gets no answer', () => {
  it('is SERVICE_UNAVAILABLE (retryable), never a refusal of the credential', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const authenticator = createAuthenticator('http://127.0.0.1:1/internal/authenticate', testKeyRing(), 1_000);
    const attempt = authenticator.viewerFor({ authorization: 'Bearer some.access.token' });
    await expect(attempt).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });
});
