import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { GATEWAY_TOKEN_HEADER, type Viewer } from '@shop/auth';
import { credentialCheck, StockApi } from '@shop/contracts';
import { orderBuilders } from '@shop/orders/testing';
import { userBuilders } from '@shop/users/testing';
import { errorCodes, gatewayHeaders, postAsGateway, postGraphQL, signIn, startTestSupergraph, testBackends, testKeyRing, type TestSupergraph } from '../src/index.js';

const ME = 'query { me { id email } }';
const USER_ENTITY = `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { id email username } } }`;
const ORDER_ENTITY = `query ($id: ID!) { _entities(representations: [{ __typename: "Order", id: $id }]) { ... on Order { id status } } }`;

/** Subgraphs answer the gateway only: every way of calling one directly gets nothing. */
describe.each(testBackends())('a subgraph called directly (%s)', (backend) => {
  let supergraph: TestSupergraph;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
  });
  afterAll(() => supergraph?.stop());

  function expectRefused(response: Awaited<ReturnType<typeof postGraphQL>>) {
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data ?? null).toBeNull();
  }

  it('refuses a request without a gateway token, even with a valid access token of a user', async () => {
    const user = await userBuilders(supergraph.users.prisma).user();
    const session = await signIn(supergraph, user.email);
    expectRefused(await postGraphQL(supergraph.users.url, { query: ME, headers: session.headers }));
  });

  it('refuses forged identity headers and an API key sent straight to the subgraph', async () => {
    expectRefused(
      await postGraphQL(supergraph.users.url, {
        query: ME,
        headers: { 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN', 'x-api-key': 'sk_anything' },
      }),
    );
  });

  it('refuses a gateway token signed with another key, even under the right key id', async () => {
    const forger = testKeyRing(supergraph.gatewayKeys.signing.kid);
    const viewer: Viewer = { kind: 'user', userId: randomUUID(), role: 'ADMIN', sessionId: randomUUID() };
    expectRefused(await postAsGateway(supergraph, 'orders', { query: ME }, { viewer, keys: forger }));
  });

  it('refuses an expired gateway token', async () => {
    const { signing } = supergraph.gatewayKeys;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ viewer: { kind: 'anonymous' }, ip: null })
      .setProtectedHeader({ alg: 'HS256', kid: signing.kid })
      .setIssuer('shop-gateway')
      .setAudience('shop-subgraphs')
      .setIssuedAt(now - 600)
      .setExpirationTime(now - 540)
      .sign(signing.secret);
    expectRefused(await postGraphQL(supergraph.catalog.url, { query: '{ categories { id } }', headers: { [GATEWAY_TOKEN_HEADER]: token } }));
  });

  it('refuses an unsigned (alg: none) gateway token', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${encode({ alg: 'none', kid: supergraph.gatewayKeys.signing.kid })}.${encode({
      viewer: { kind: 'user', userId: randomUUID(), role: 'ADMIN', sessionId: randomUUID() },
      iss: 'shop-gateway',
      aud: 'shop-subgraphs',
      iat: now,
      exp: now + 60,
    })}.`;
    expectRefused(await postGraphQL(supergraph.users.url, { query: '{ users { meta { totalItems } } }', headers: { [GATEWAY_TOKEN_HEADER]: token } }));
  });

  it("gives nothing for another user's User or Order through a raw _entities query without a token", async () => {
    const owner = await userBuilders(supergraph.users.prisma).user();
    const order = await orderBuilders(supergraph.orders.prisma).order(owner.id, [{ productId: randomUUID(), quantity: 1, unitPrice: '5.00' }]);
    expectRefused(await postGraphQL(supergraph.users.url, { query: USER_ENTITY, variables: { id: owner.id } }));
    expectRefused(await postGraphQL(supergraph.orders.url, { query: ORDER_ENTITY, variables: { id: order.id } }));
  });

  it("keeps row rules for _entities even with a valid gateway token: another user's order is null, their email hidden", async () => {
    const build = userBuilders(supergraph.users.prisma);
    const [owner, stranger] = await Promise.all([build.user(), build.user()]);
    const order = await orderBuilders(supergraph.orders.prisma).order(owner.id, [{ productId: randomUUID(), quantity: 1, unitPrice: '5.00' }]);
    const asStranger: { viewer: Viewer } = { viewer: { kind: 'user', userId: stranger.id, role: 'USER', sessionId: randomUUID() } };

    const orderAnswer = await postAsGateway<{ _entities: unknown[] }>(supergraph, 'orders', { query: ORDER_ENTITY, variables: { id: order.id } }, asStranger);
    expect(orderAnswer.data!._entities).toEqual([null]);
    const userAnswer = await postAsGateway<{ _entities: Array<{ id: string; email: string | null }> }>(
      supergraph,
      'users',
      { query: USER_ENTITY, variables: { id: owner.id } },
      asStranger,
    );
    expect(userAnswer.data!._entities[0]).toMatchObject({ id: owner.id, email: null });

    const asOwner: { viewer: Viewer } = { viewer: { kind: 'user', userId: owner.id, role: 'USER', sessionId: randomUUID() } };
    const own = await postAsGateway<{ _entities: unknown[] }>(supergraph, 'orders', { query: ORDER_ENTITY, variables: { id: order.id } }, asOwner);
    expect(own.data!._entities).toEqual([{ id: order.id, status: 'PENDING' }]);
  });

  it('enforces the SDL directives itself (graphql-shield), whatever the gateway let through', async () => {
    const viewer: Viewer = { kind: 'user', userId: randomUUID(), role: 'USER', sessionId: randomUUID() };
    const response = await postAsGateway(supergraph, 'users', { query: '{ users { meta { totalItems } } }' }, { viewer });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    const anonymous = await postAsGateway(supergraph, 'orders', { query: '{ order(id: "00000000-0000-4000-8000-000000000000") { id } }' });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers 400 to a gateway-signed service request that breaks its contract, naming the field, and moves no stock', async () => {
    const url = new URL(StockApi.reserve.path, supergraph.catalog.url).toString();
    const reservationId = randomUUID();
    const body = JSON.stringify({ reservationId, lines: [{ productId: randomUUID(), quantity: 0 }] });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await gatewayHeaders(supergraph.gatewayKeys, 'catalog', url, body)) },
      body,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^lines\.0\.quantity: Too small/);
    expect(await supergraph.catalog.prisma.stockReservation.count({ where: { id: reservationId } })).toBe(0);
  });

  it("refuses the users subgraph's credential check without a gateway token", async () => {
    const response = await fetch(new URL(credentialCheck.path, supergraph.users.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'sk_guess' }),
    });
    expect(response.status).toBe(401);
  });
});
