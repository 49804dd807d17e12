import { randomUUID } from 'node:crypto';
import { loginRateLimitSchema, parseConfig, redisSchema, registrationRateLimitSchema } from '@shop/config';
import type { RunningSubgraph } from '@shop/graphql-kit';
import { aloneOptions, asGatewayTo, entitiesQuery, personViewer, refusalOf, testKeyRing } from '@shop/testing/subgraph';
import { startUsers, type UsersPrisma } from '../src/index.js';
import { userBuilders, type UserBuilders } from './builders.js';

/**
 * The users subgraph alone, as the gateway sees it: operations and `_entities` over HTTP,
 * signed for a viewer, on PGlite in memory, with its rate limits kept in process (no Redis).
 */
describe('users subgraph', () => {
  let users: RunningSubgraph<UsersPrisma>;
  let build: UserBuilders;
  let send: ReturnType<typeof asGatewayTo>;

  beforeAll(async () => {
    const options = aloneOptions('users');
    users = await startUsers({
      ...options,
      seedDemoData: false,
      tokens: { keys: testKeyRing(), accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 86_400 },
      loginRateLimit: parseConfig(loginRateLimitSchema, {}),
      registrationRateLimit: parseConfig(registrationRateLimitSchema, {}),
      redis: parseConfig(redisSchema, {}),
    });
    build = userBuilders(users.prisma);
    send = asGatewayTo('users', { url: users.url, keys: options.gatewayKeys });
  });
  afterAll(() => users?.stop());

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

  describe('validation', () => {
    it('refuses registering with a malformed email with BAD_USER_INPUT naming the field, creating no account', async () => {
      const username = `user-${randomUUID().slice(0, 12)}`;
      const response = await send({
        query: 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
        variables: { input: { email: 'not-an-email', username, password: 'a-long-enough-password' } },
      });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
      expect(response.errors![0]!.extensions!.field).toBe('input.email');
      expect(await users.prisma.user.count({ where: { username } })).toBe(0);
    });
  });
});
