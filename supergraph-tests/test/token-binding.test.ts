import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, type JWTPayload } from 'jose';
import { GATEWAY_TOKEN_HEADER } from '@shop/auth';
import { catalogBuilders } from '@shop/catalog/testing';
import type { RunningHttpServer } from '@shop/graphql-kit';
import { userBuilders } from '@shop/users/testing';
import {
  contractOperation,
  errorCodes,
  postGraphQL,
  signedInUser,
  startTestSupergraph,
  startWiretap,
  oneTestBackend,
  type GraphQLResponse,
  type SignedIn,
  type TestSupergraph,
  type Wiretap,
} from '../src/index.js';

const ME = 'query { me { id role } }';
const CATEGORIES = JSON.stringify({ query: '{ categories { id } }' });

const seconds = () => Math.floor(Date.now() / 1000);

function expectUnauthenticated(response: GraphQLResponse<unknown>) {
  expect(response.status).toBe(401);
  expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  expect(response.data ?? null).toBeNull();
}

/** A request straight to a subgraph with exactly this body and token, as a replaying attacker sends it. */
async function sendToSubgraph(url: string, body: string, token: string): Promise<GraphQLResponse<Record<string, unknown>>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token }, body });
  return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
}

/**
 * Issue 14, findings 5 and 6: a gateway token authorises one request to one subgraph for a few
 * seconds, and an access token's session must be its own user's.
 */
describe.each([oneTestBackend()])('tokens bound to what they were issued for (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let wiretap: Wiretap;
  let tappedGateway: RunningHttpServer;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    // A gateway whose catalog traffic passes an eavesdropper: what it copies is what a replay has.
    wiretap = await startWiretap(supergraph.catalog.url);
    tappedGateway = await supergraph.startAnotherGateway({ subgraphUrls: { catalog: wiretap.url } });
    admin = await signedInUser(supergraph, 'ADMIN');
  });
  afterAll(async () => {
    await supergraph?.stop();
    await wiretap?.stop();
  });

  /** An admin's UpdateProduct through the tapped gateway; the token catalog accepted for it, as copied off the wire. */
  async function capturedAdminToken() {
    const product = await catalogBuilders(supergraph.catalog.prisma).product({ price: '10.00' });
    const answer = await postGraphQL(tappedGateway.url, {
      query: contractOperation('admin', 'UpdateProduct'),
      variables: { id: product.id, input: { stockQuantity: 7 } },
      headers: admin.headers,
    });
    // Catalog ran it: the copied token is a real one, good for the request it came with.
    expect(answer.errors).toBeUndefined();
    const tapped = wiretap.requests.filter((request) => request.path === '/graphql' && request.body.includes(product.id)).at(-1)!;
    return { token: tapped.headers[GATEWAY_TOKEN_HEADER]!, product };
  }

  /** A gateway token as the gateway signs one for catalog's `{ categories }`, with parts changed by the test. */
  function gatewayToken(change: { audience?: string; issuedAt?: number; expiresAt?: number; claims?: JWTPayload } = {}) {
    const { signing } = supergraph.gatewayKeys;
    const issuedAt = change.issuedAt ?? seconds();
    const request = createHash('sha256').update('POST /graphql\n').update(CATEGORIES).digest('base64url');
    return new SignJWT({ viewer: { kind: 'anonymous' }, ip: null, req: request, ...change.claims })
      .setProtectedHeader({ alg: 'HS256', kid: signing.kid, typ: 'JWT' })
      .setIssuer('shop-gateway')
      .setAudience(change.audience ?? 'catalog')
      .setIssuedAt(issuedAt)
      .setExpirationTime(change.expiresAt ?? issuedAt + 10)
      .sign(signing.secret);
  }

  /** An access token as the users subgraph signs one, for any user and session the test names. */
  function accessToken(userId: string, sessionId: string, issuedAt = seconds() - 5) {
    const { signing } = supergraph.tokens.keys;
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: signing.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer('shop-users')
      .setAudience('shop-api')
      .setIssuedAt(issuedAt)
      .setExpirationTime(seconds() + 600)
      .sign(signing.secret);
  }

  const sessionOf = async (userId: string) => (await supergraph.users.prisma.userSession.findFirstOrThrow({ where: { userId } })).familyId;
  const meWith = async (token: string) => supergraph.request<{ me: { id: string; role: string } }>({ query: ME, headers: { authorization: `Bearer ${token}` } });

  it('an access token whose session belongs to another user is refused', async () => {
    const shopper = await signedInUser(supergraph);
    const [shopperSession, adminSession] = await Promise.all([sessionOf(shopper.userId), sessionOf(admin.userId)]);
    expect((await meWith(await accessToken(shopper.userId, shopperSession))).data).toEqual({ me: { id: shopper.userId, role: 'USER' } });

    // The shopper's live session under the admin's id, and the admin's session under the shopper's.
    expectUnauthenticated(await meWith(await accessToken(admin.userId, shopperSession)));
    expectUnauthenticated(await meWith(await accessToken(shopper.userId, adminSession)));
  });

  it('a gateway token for one subgraph is refused by another', async () => {
    const { token } = await capturedAdminToken();
    const victim = await userBuilders(supergraph.users.prisma).user();
    const promote = JSON.stringify({ query: contractOperation('admin', 'SetUserRole'), variables: { id: victim.id, role: 'ADMIN' } });

    expectUnauthenticated(await sendToSubgraph(supergraph.users.url, promote, token));
    expectUnauthenticated(await sendToSubgraph(supergraph.orders.url, CATEGORIES, token));
    expect((await supergraph.users.prisma.user.findUniqueOrThrow({ where: { id: victim.id } })).role).toBe('USER');
  });

  it('a gateway token cannot run another operation', async () => {
    const { token, product } = await capturedAdminToken();
    const giveaway = JSON.stringify({
      query: contractOperation('admin', 'UpdateProduct'),
      variables: { id: product.id, input: { price: '0.01' } },
    });

    expectUnauthenticated(await sendToSubgraph(supergraph.catalog.url, giveaway, token));
    expect((await supergraph.catalog.prisma.product.findUniqueOrThrow({ where: { id: product.id } })).price.toFixed(2)).toBe('10.00');
  });

  it('a gateway token is refused after its few seconds', async () => {
    const now = seconds();
    expect((await sendToSubgraph(supergraph.catalog.url, CATEGORIES, await gatewayToken())).status).toBe(200);

    // Past its end, and a 60-second token 20 seconds on (what the gateway used to sign).
    expectUnauthenticated(await sendToSubgraph(supergraph.catalog.url, CATEGORIES, await gatewayToken({ issuedAt: now - 20, expiresAt: now - 10 })));
    expectUnauthenticated(await sendToSubgraph(supergraph.catalog.url, CATEGORIES, await gatewayToken({ issuedAt: now - 20, expiresAt: now + 40 })));
  });

  it('a gateway token of the old form, for every subgraph or none in particular, is refused', async () => {
    expectUnauthenticated(await sendToSubgraph(supergraph.catalog.url, CATEGORIES, await gatewayToken({ audience: 'shop-subgraphs' })));
    const { signing } = supergraph.gatewayKeys;
    const withoutAudience = await new SignJWT({ viewer: { kind: 'anonymous' }, ip: null })
      .setProtectedHeader({ alg: 'HS256', kid: signing.kid })
      .setIssuer('shop-gateway')
      .setIssuedAt()
      .setExpirationTime('10s')
      .sign(signing.secret);
    expectUnauthenticated(await sendToSubgraph(supergraph.catalog.url, CATEGORIES, withoutAudience));
  });

  it("a gateway token from a host whose clock runs a second ahead is accepted (whole-second iat, clocks ms apart)", async () => {
    const ahead = seconds() + 1;
    expect((await sendToSubgraph(supergraph.catalog.url, CATEGORIES, await gatewayToken({ issuedAt: ahead }))).status).toBe(200);
  });

  it('an access token older than the configured access-token lifetime is refused, whatever its exp says', async () => {
    const shopper = await signedInUser(supergraph);
    const session = await sessionOf(shopper.userId);
    expectUnauthenticated(await meWith(await accessToken(shopper.userId, session, seconds() - supergraph.tokens.accessTokenTtlSeconds - 60)));
  });

  it('a refreshed session still ends when its sign-in does: rotation does not extend it', async () => {
    const shopper = await signedInUser(supergraph);
    const first = await supergraph.users.prisma.userSession.findFirstOrThrow({ where: { userId: shopper.userId } });
    const refreshed = await supergraph.request({ query: contractOperation('frontend', 'RefreshToken'), variables: { refreshToken: shopper.refreshToken } });
    expect(refreshed.errors).toBeUndefined();
    const successor = await supergraph.users.prisma.userSession.findFirstOrThrow({ where: { userId: shopper.userId, rotatedAt: null } });
    expect(successor.id).not.toBe(first.id);
    expect(successor.expiresAt).toEqual(first.expiresAt);
  });
});
