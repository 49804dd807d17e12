import { createHash, randomUUID } from 'node:crypto';
import { GATEWAY_TOKEN_HEADER, internalClient } from '@shop/auth';
import { addressLookup, credentialCheck, eventFeed, passwordResetToken, shopperContact } from '@shop/contracts';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { aloneSubgraph, asGatewayTo, doorAnswer, entitiesQuery, gatewayHeaders, graphQLBody, personViewer, postGraphQL, refusalOf, TURNED_AWAY } from '@shop/testing/subgraph';
import { startUsers, type UsersPrisma } from '../src/index.js';
import { MAX_ADDRESSES } from '../src/services/addresses.js';
import { userBuilders, usersTestSettings, type UserBuilders } from './builders.js';

/**
 * The users subgraph alone, as the gateway sees it: operations and `_entities` over HTTP,
 * signed for a viewer, on a PGlite database of its own, with its rate limits kept in process (no Redis).
 */
describe('users subgraph', () => {
  let users: RunningSubgraph<UsersPrisma>;
  let alone: Awaited<ReturnType<typeof aloneSubgraph>>;
  let build: UserBuilders;
  let send: ReturnType<typeof asGatewayTo>;

  beforeAll(async () => {
    alone = await aloneSubgraph('users');
    const { options } = alone;
    users = await startUsers({
      ...options,
      seedDemoData: false,
      ...usersTestSettings(),
    });
    build = userBuilders(users.prisma);
    send = asGatewayTo('users', { url: users.url, keys: options.gatewayKeys });
  });
  afterAll(async () => {
    await users?.stop();
    await alone?.dropDatabase();
  });

  describe('_entities', () => {
    const userEntity = entitiesQuery('User', '{ id username email role }');

    it('resolves Users by id, showing the email to the user itself and to admins only', async () => {
      const user = await build.user();
      const variables = { representations: [{ __typename: 'User', id: user.id }, { __typename: 'User', id: randomUUID() }] };
      const expected = (email: string | null) => [{ id: user.id, username: user.username, email, role: 'USER' }, null];

      expect((await send({ query: userEntity, variables }, personViewer('USER', user.id))).data!._entities).toEqual(expected(user.email));
      expect((await send({ query: userEntity, variables }, personViewer('ADMIN'))).data!._entities).toEqual(expected(user.email));
      expect((await send({ query: userEntity, variables }, personViewer())).data!._entities).toEqual(expected(null));
    });
  });

  describe('access rules, kept by the subgraph too', () => {
    it('refuses the list of users to a shopper with FORBIDDEN', async () => {
      expect(refusalOf(await send({ query: '{ users { meta { totalItems } } }' }, personViewer()))).toEqual({ data: null, codes: ['FORBIDDEN'] });
    });

    it('refuses changing a role to a shopper with FORBIDDEN, changing nothing', async () => {
      const user = await build.user();
      const response = await send({ query: `mutation { setUserRole(id: "${user.id}", role: ADMIN) { id } }` }, personViewer('USER', user.id));
      expect(refusalOf(response)).toEqual({ data: null, codes: ['FORBIDDEN'] });
      expect((await users.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe('USER');
    });

    it('refuses updating a profile anonymously with UNAUTHENTICATED', async () => {
      const response = await send({ query: 'mutation { updateProfile(input: { firstName: "Eve" }) { id } }' });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['UNAUTHENTICATED'] });
    });
  });

  describe('callers other than the gateway, turned away', () => {
    const ME = 'query { me { id email } }';

    it("refuses a request without a gateway token, even with a user's valid access token", async () => {
      const user = await build.user();
      const login = await send<{ login: { accessToken: string } }>({
        query: 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        variables: { input: { email: user.email, password: user.password } },
      });
      const headers = { authorization: `Bearer ${login.data!.login.accessToken}` };
      expect(doorAnswer(await postGraphQL(users.url, { query: ME, headers }))).toEqual(TURNED_AWAY);
    });

    it('refuses forged identity headers and an API key', async () => {
      const headers = { 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN', 'x-api-key': 'sk_anything' };
      expect(doorAnswer(await postGraphQL(users.url, { query: ME, headers }))).toEqual(TURNED_AWAY);
    });

    it('refuses a gateway token stripped of its signature (alg: none), its claims otherwise right', async () => {
      const request = { query: '{ users { meta { totalItems } } }' };
      const signed = await gatewayHeaders(alone.options.gatewayKeys, 'users', users.url, graphQLBody(request), personViewer('ADMIN'));
      const [, claims] = signed[GATEWAY_TOKEN_HEADER]!.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', kid: alone.options.gatewayKeys.signing.kid })).toString('base64url');
      const response = await postGraphQL(users.url, { ...request, headers: { [GATEWAY_TOKEN_HEADER]: `${header}.${claims}.` } });
      expect(doorAnswer(response)).toEqual(TURNED_AWAY);
    });

    it("gives nothing for a user's User through a raw _entities query", async () => {
      const owner = await build.user();
      const response = await postGraphQL(users.url, { query: entitiesQuery('User', '{ id email username }'), variables: { representations: [{ __typename: 'User', id: owner.id }] } });
      expect(doorAnswer(response)).toEqual(TURNED_AWAY);
    });

    it('refuses the credential check to a caller without a gateway token', async () => {
      const response = await fetch(new URL(credentialCheck.path, users.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey: 'sk_guess' }),
      });
      expect(response.status).toBe(401);
    });

    it('tells a gateway-signed caller where to write to a shopper, and nothing of one deactivated or unknown', async () => {
      const call = internalClient({ baseUrl: users.url, audience: 'users', keys: alone.options.gatewayKeys, timeoutMs: 5_000 });
      const [active, inactive] = await Promise.all([build.user({ firstName: 'Ada' }), build.user({ isActive: false })]);
      expect(await call(shopperContact, { userId: active.id })).toEqual({ contact: { email: active.email, firstName: 'Ada' } });
      expect(await call(shopperContact, { userId: inactive.id })).toEqual({ contact: null });
      expect(await call(shopperContact, { userId: randomUUID() })).toEqual({ contact: null });
      const unsigned = await fetch(new URL(shopperContact.path, users.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: active.id }) });
      expect(unsigned.status).toBe(401);
    });
  });

  describe('password reset requests', () => {
    const requestReset = (email: string) => send({ query: 'mutation($email: String!) { requestPasswordReset(email: $email) }', variables: { email } });

    it('publishes a request by its id in the feed, and mints its token once, for the notifications worker only, keeping its hash', async () => {
      const call = internalClient({ baseUrl: users.url, audience: 'users', keys: alone.options.gatewayKeys, timeoutMs: 5_000 });
      const user = await build.user({ firstName: 'Grace' });
      expect((await requestReset(user.email)).data).toEqual({ requestPasswordReset: true });
      const request = await users.prisma.passwordResetRequest.findFirstOrThrow({ where: { userId: user.id } });

      // The feed names the request, never a token (none exists yet).
      let published: Array<{ topic: string; payload: unknown }> = [];
      for (let attempt = 0; attempt < 100 && published.length === 0; attempt += 1) {
        published = (await call(eventFeed, { after: '0', limit: 1000 })).events.filter((event) => event.aggregateId === user.id);
        if (published.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(published.map(({ topic, payload }) => ({ topic, payload }))).toEqual([
        { topic: 'password_reset.requested', payload: { userId: user.id, resetRequestId: request.id } },
      ]);
      expect(request.tokenHash).toBeNull();

      expect(await call(passwordResetToken, { userId: randomUUID(), resetRequestId: request.id })).toEqual({ reset: null });
      const { reset } = await call(passwordResetToken, { userId: user.id, resetRequestId: request.id });
      expect(reset).toEqual({ token: expect.stringMatching(/^pr_[\w-]{43}$/), email: user.email, firstName: 'Grace', expiresAt: request.expiresAt.toISOString() });
      expect(reset!.expiresAt).toBe(new Date(request.createdAt.getTime() + 30 * 60_000).toISOString());
      const stored = await users.prisma.passwordResetRequest.findUniqueOrThrow({ where: { id: request.id } });
      expect(stored.tokenHash).toBe(createHash('sha256').update(reset!.token).digest('hex'));
      // Handed out once: a second call (a redelivered event) gets nothing.
      expect(await call(passwordResetToken, { userId: user.id, resetRequestId: request.id })).toEqual({ reset: null });

      const unsigned = await fetch(new URL(passwordResetToken.path, users.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user.id, resetRequestId: request.id }),
      });
      expect(unsigned.status).toBe(401);
    });

    it('mints nothing for a request superseded by a newer one, nor for an unknown email (which writes no request)', async () => {
      const call = internalClient({ baseUrl: users.url, audience: 'users', keys: alone.options.gatewayKeys, timeoutMs: 5_000 });
      const user = await build.user();
      await requestReset(user.email);
      await requestReset(user.email);
      const [older, newer] = await users.prisma.passwordResetRequest.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
      expect(older!.revokedAt).not.toBeNull();
      expect(await call(passwordResetToken, { userId: user.id, resetRequestId: older!.id })).toEqual({ reset: null });
      expect((await call(passwordResetToken, { userId: user.id, resetRequestId: newer!.id })).reset).not.toBeNull();

      const before = await users.prisma.passwordResetRequest.count();
      expect((await requestReset(`nobody-${randomUUID()}@example.test`)).data).toEqual({ requestPasswordReset: true });
      expect(await users.prisma.passwordResetRequest.count()).toBe(before);
    });
  });

  describe('addresses', () => {
    it("answers the orders subgraph's address lookup with the user's own address, and none for another user's or an unsigned caller", async () => {
      const [owner, other] = await Promise.all([build.user(), build.user()]);
      const saved = await build.address(owner.id, { line2: 'Bâtiment B' });
      const lookup = internalClient({ baseUrl: users.url, audience: 'users', keys: alone.options.gatewayKeys, timeoutMs: 5_000 });
      expect(await lookup(addressLookup, { userId: owner.id, addressId: saved.id })).toEqual({
        address: { fullName: 'Ada Lovelace', line1: '12 Rue de la Paix', line2: 'Bâtiment B', city: 'Paris', region: null, postalCode: '75002', country: 'FR', phone: null },
      });
      expect(await lookup(addressLookup, { userId: other.id, addressId: saved.id })).toEqual({ address: null });
      const unsigned = await fetch(new URL(addressLookup.path, users.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: owner.id, addressId: saved.id }),
      });
      expect(unsigned.status).toBe(401);
    });

    it(`keeps an account to ${MAX_ADDRESSES} addresses (CONFLICT), saving no more`, async () => {
      const user = await build.user();
      for (let made = 0; made < MAX_ADDRESSES; made += 1) await build.address(user.id);
      const response = await send(
        { query: 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', variables: { input: { fullName: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'US' } } },
        personViewer('USER', user.id),
      );
      expect(refusalOf(response)).toEqual({ data: null, codes: ['CONFLICT'] });
      expect(await users.prisma.address.count({ where: { userId: user.id } })).toBe(MAX_ADDRESSES);
    });
  });

  describe('validation', () => {
    it.each([
      ['a malformed email', { email: 'not-an-email' }, 'input.email'],
      ['a short password', { password: 'short' }, 'input.password'],
      ['a 129-character password', { password: 'x'.repeat(129) }, 'input.password'],
      ['a username with spaces', { username: 'two words' }, 'input.username'],
    ])('refuses registering with %s with BAD_USER_INPUT naming the field, creating no account', async (_name, change, field) => {
      const username = `user-${randomUUID().slice(0, 12)}`;
      const response = await send({
        query: 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
        variables: { input: { email: `${username}@example.com`, username, password: 'a-long-enough-password', ...change } },
      });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
      expect(response.errors![0]!.extensions!.field).toBe(field);
      expect(await users.prisma.user.count({ where: { OR: [{ username }, { email: `${username}@example.com` }] } })).toBe(0);
    });

    it("refuses a profile's taken username with CONFLICT and an empty one with BAD_USER_INPUT, changing nothing", async () => {
      const [user, other] = await Promise.all([build.user(), build.user()]);
      const updateProfile = (input: Record<string, unknown>) =>
        send({ query: 'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }', variables: { input } }, personViewer('USER', user.id));
      expect(refusalOf(await updateProfile({ username: other.username }))).toEqual({ data: null, codes: ['CONFLICT'] });
      expect(refusalOf(await updateProfile({ username: '' }))).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
      expect((await users.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).username).toBe(user.username);
    });
  });
});
