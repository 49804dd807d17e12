import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_PASSWORD, userBuilders, type UserBuilders } from '@shop/users/testing';
import { contractOperation, errorCodes, signIn, startTestSupergraph, testBackends, type TestSupergraph } from '../src/index.js';

const Register = contractOperation('frontend', 'Register');
const Login = contractOperation('frontend', 'Login');
const RefreshToken = contractOperation('frontend', 'RefreshToken');
const Logout = contractOperation('frontend', 'Logout');
const UpdateProfile = contractOperation('frontend', 'UpdateProfile');
const ChangePassword = contractOperation('frontend', 'ChangePassword');
const MyAddresses = contractOperation('frontend', 'MyAddresses');
const AddAddress = contractOperation('frontend', 'AddAddress');
const UpdateAddress = contractOperation('frontend', 'UpdateAddress');
const RemoveAddress = contractOperation('frontend', 'RemoveAddress');
const SetDefaultAddress = contractOperation('frontend', 'SetDefaultAddress');
const MeProfile = 'query MeProfile { me { id email username firstName lastName role isActive } }';

interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; role: string };
}

describe.each(testBackends())('accounts through the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: UserBuilders;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = userBuilders(supergraph.users.prisma);
  });
  afterAll(() => supergraph?.stop());

  const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });
  const me = (accessToken: string) => supergraph.request<{ me: { id: string; email: string; username: string } }>({ query: MeProfile, headers: bearer(accessToken) });
  const register = (input: Record<string, unknown>) => supergraph.request<{ register: AuthPayload }>({ query: Register, variables: { input } });
  const login = (email: string, password: string, headers?: Record<string, string>) =>
    supergraph.request<{ login: AuthPayload }>({ query: Login, variables: { input: { email, password } }, headers });
  const refresh = (refreshToken: string) => supergraph.request<{ refreshToken: AuthPayload }>({ query: RefreshToken, variables: { refreshToken } });
  const handle = () => `shopper${Math.random().toString(36).slice(2, 10)}`;

  describe('register', () => {
    it('creates a USER account, signs it in and lower-cases the email', async () => {
      const name = handle();
      const response = await register({ email: `${name}@Example.COM`, username: name, password: 'a long enough password', firstName: 'Sam' });
      expect(response.errors).toBeUndefined();
      const payload = response.data!.register;
      expect(payload.user).toMatchObject({ email: `${name}@example.com`, role: 'USER' });
      expect(payload.expiresIn).toBe(900);
      expect((await me(payload.accessToken)).data!.me).toMatchObject({ id: payload.user.id, username: name, firstName: 'Sam' });
    });

    it('refuses an email that differs only in case, and a taken username, with CONFLICT', async () => {
      const existing = await build.user();
      const byEmail = await register({ email: existing.email.toUpperCase(), username: handle(), password: 'a long enough password' });
      expect(errorCodes(byEmail)).toEqual(['CONFLICT']);
      const byUsername = await register({ email: `${handle()}@example.com`, username: existing.username.toUpperCase(), password: 'a long enough password' });
      expect(errorCodes(byUsername)).toEqual(['CONFLICT']);
    });
  });

  describe('login', () => {
    it('signs in with the email in any case', async () => {
      const user = await build.user();
      const response = await login(user.email.toUpperCase(), TEST_PASSWORD);
      expect(response.errors).toBeUndefined();
      expect(response.data!.login.user).toEqual({ id: user.id, email: user.email, role: 'USER' });
    });

    it('answers an unknown email and a wrong password the same way', async () => {
      const user = await build.user();
      const wrongPassword = await login(user.email, 'not the password');
      const unknownEmail = await login(`${handle()}@example.com`, 'not the password');
      expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
      expect(unknownEmail.errors).toEqual(wrongPassword.errors);
      expect(unknownEmail.status).toBe(wrongPassword.status);
    });

    it('refuses a deactivated account with the same answer as a wrong password', async () => {
      const user = await build.user({ isActive: false });
      const response = await login(user.email, TEST_PASSWORD);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.errors![0]!.message).toBe('Invalid email or password');
      expect(response.status).toBe(401);
    });

    it('refuses an account after 5 failures from one client with RATE_LIMITED there, even with the right password', async () => {
      const user = await build.user();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect(errorCodes(await login(user.email, 'wrong password'))).toEqual(['UNAUTHENTICATED']);
      }
      const limited = await login(user.email, TEST_PASSWORD);
      expect(errorCodes(limited)).toEqual(['RATE_LIMITED']);
      const retryAfterSeconds = limited.errors![0]!.extensions!.retryAfterSeconds;
      expect(retryAfterSeconds).toEqual(expect.any(Number));
      // The answer holds nothing else, so its status and Retry-After say so too.
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, String(retryAfterSeconds)]);
      // Other accounts are not affected by one account's failures.
      const other = await build.user();
      expect((await login(other.email, TEST_PASSWORD)).errors).toBeUndefined();
    });
  });

  describe('refresh tokens', () => {
    it('rotate on every use: the new pair works, the old refresh token does not', async () => {
      const user = await build.user();
      const first = await signIn(supergraph, user.email);
      const rotated = await refresh(first.refreshToken);
      expect(rotated.errors).toBeUndefined();
      const second = rotated.data!.refreshToken;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect((await me(second.accessToken)).data!.me.id).toBe(user.id);
      expect((await refresh(second.refreshToken)).errors).toBeUndefined();
    });

    it('replayed after rotation revoke the whole session: every token of that sign-in stops working', async () => {
      const user = await build.user();
      const first = await signIn(supergraph, user.email);
      const second = (await refresh(first.refreshToken)).data!.refreshToken;
      const replay = await refresh(first.refreshToken);
      expect(errorCodes(replay)).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await refresh(second.refreshToken))).toEqual(['UNAUTHENTICATED']);
      // The access token of the family is refused too, once the gateway's short cache expires.
      const fresh = await supergraph.users.prisma.userSession.count({ where: { familyId: { not: undefined }, userId: user.id, revokedAt: null } });
      expect(fresh).toBe(0);
    });

    it('used twice at the same moment rotate once and revoke the family', async () => {
      const user = await build.user();
      const first = await signIn(supergraph, user.email);
      const answers = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
      const succeeded = answers.filter((answer) => !answer.errors);
      expect(succeeded.length).toBeLessThanOrEqual(1);
      expect(answers.some((answer) => errorCodes(answer).includes('UNAUTHENTICATED'))).toBe(true);
      expect(await supergraph.users.prisma.userSession.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    });

    it('refuses an unknown token', async () => {
      expect(errorCodes(await refresh('rt_made-up'))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('logout', () => {
    it('ends the session: its refresh token stops working, other sessions go on', async () => {
      const user = await build.user();
      const phone = await signIn(supergraph, user.email);
      const laptop = await signIn(supergraph, user.email);
      const response = await supergraph.request({ query: Logout, variables: { refreshToken: phone.refreshToken }, headers: phone.headers });
      expect(response).toMatchObject({ data: { logout: true } });
      expect(errorCodes(await refresh(phone.refreshToken))).toEqual(['UNAUTHENTICATED']);
      expect((await refresh(laptop.refreshToken)).errors).toBeUndefined();
    });

    it("leaves another user's session alone", async () => {
      const [owner, other] = await Promise.all([build.user(), build.user()]);
      const ownerSession = await signIn(supergraph, owner.email);
      const otherSession = await signIn(supergraph, other.email);
      const response = await supergraph.request({ query: Logout, variables: { refreshToken: ownerSession.refreshToken }, headers: otherSession.headers });
      expect(response).toMatchObject({ data: { logout: false } });
      expect((await refresh(ownerSession.refreshToken)).errors).toBeUndefined();
    });
  });

  describe('changePassword', () => {
    const changePassword = (caller: { headers: Record<string, string> }, currentPassword: string, newPassword: string) =>
      supergraph.request<{ changePassword: boolean }>({ query: ChangePassword, variables: { currentPassword, newPassword }, headers: caller.headers });

    it("sets the new password and signs out every other session, keeping the caller's", async () => {
      const user = await build.user();
      const laptop = await signIn(supergraph, user.email);
      const phone = await signIn(supergraph, user.email);
      const response = await changePassword(laptop, TEST_PASSWORD, 'a brand new passphrase');
      expect(response).toMatchObject({ data: { changePassword: true } });

      expect(errorCodes(await refresh(phone.refreshToken))).toEqual(['UNAUTHENTICATED']);
      expect((await me(laptop.accessToken)).data!.me.id).toBe(user.id);
      expect((await refresh(laptop.refreshToken)).errors).toBeUndefined();
      expect(errorCodes(await login(user.email, TEST_PASSWORD))).toEqual(['UNAUTHENTICATED']);
      expect((await login(user.email, 'a brand new passphrase')).errors).toBeUndefined();
    });

    it('refuses a wrong current password with WRONG_CURRENT_PASSWORD, changing nothing, and counts it as a failed sign-in', async () => {
      const user = await build.user();
      const laptop = await signIn(supergraph, user.email);
      const phone = await signIn(supergraph, user.email);
      const wrong = await changePassword(laptop, 'not the password', 'a brand new passphrase');
      expect(errorCodes(wrong)).toEqual(['WRONG_CURRENT_PASSWORD']);
      expect(wrong.status).toBe(403);
      expect((await refresh(phone.refreshToken)).errors).toBeUndefined();
      expect((await login(user.email, TEST_PASSWORD)).errors).toBeUndefined();

      // The sign-in throttle's five failures per account and client: four more, then even the right password waits.
      for (let attempt = 0; attempt < 4; attempt += 1) {
        expect(errorCodes(await changePassword(laptop, 'not the password', 'a brand new passphrase'))).toEqual(['WRONG_CURRENT_PASSWORD']);
      }
      expect(errorCodes(await changePassword(laptop, TEST_PASSWORD, 'a brand new passphrase'))).toEqual(['RATE_LIMITED']);
      expect(errorCodes(await login(user.email, TEST_PASSWORD))).toEqual(['RATE_LIMITED']);
    });

    it('holds the new password to the rules of registration', async () => {
      const session = await signIn(supergraph, (await build.user()).email);
      const tooShort = await changePassword(session, TEST_PASSWORD, 'short');
      expect(errorCodes(tooShort)).toEqual(['BAD_USER_INPUT']);
      expect(tooShort.errors![0]!.extensions!.field).toBe('newPassword');
      expect(errorCodes(await changePassword(session, TEST_PASSWORD, TEST_PASSWORD))).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('addresses', () => {
    interface Address {
      id: string;
      fullName: string;
      city: string;
      country: string;
      line2: string | null;
      isDefault: boolean;
    }
    const home = { fullName: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'fr' };
    const work = { fullName: 'Ada Lovelace', line1: '1 Main Street', line2: 'Suite 4', city: 'Boston', region: 'MA', postalCode: '02110', country: 'US' };
    type Caller = { headers: Record<string, string> };
    const addAddress = (caller: Caller, input: Record<string, unknown>, isDefault?: boolean) =>
      supergraph.request<{ addAddress: Address }>({ query: AddAddress, variables: { input, isDefault }, headers: caller.headers });
    const addressesOf = async (caller: Caller) =>
      (await supergraph.request<{ me: { addresses: Address[] } }>({ query: MyAddresses, headers: caller.headers })).data!.me.addresses;
    const change = (query: string, caller: Caller, variables: Record<string, unknown>) => supergraph.request<Record<string, unknown>>({ query, variables, headers: caller.headers });

    it('saves, updates, sets the default and removes addresses: the first is the default until another is chosen', async () => {
      const shopper = await signIn(supergraph, (await build.user()).email);
      const first = await addAddress(shopper, home);
      expect(first.errors).toBeUndefined();
      expect(first.data!.addAddress).toMatchObject({ fullName: 'Ada Lovelace', country: 'FR', line2: null, isDefault: true });
      const second = (await addAddress(shopper, work)).data!.addAddress;
      expect(second.isDefault).toBe(false);
      // Read at once after each change: the gateway's cached answer for the user is purged by it.
      expect((await addressesOf(shopper)).map((address) => [address.id, address.isDefault])).toEqual([
        [first.data!.addAddress.id, true],
        [second.id, false],
      ]);

      expect((await change(SetDefaultAddress, shopper, { id: second.id })).data).toEqual({ setDefaultAddress: { id: second.id, isDefault: true } });
      const updated = await change(UpdateAddress, shopper, { id: second.id, input: { ...work, city: 'Cambridge', line2: '  ' } });
      expect(updated.data!.updateAddress).toMatchObject({ id: second.id, city: 'Cambridge', line2: null, isDefault: true });
      expect((await addressesOf(shopper)).map((address) => [address.city, address.isDefault])).toEqual([
        ['Cambridge', true],
        ['Paris', false],
      ]);

      expect((await change(RemoveAddress, shopper, { id: second.id })).data).toEqual({ removeAddress: true });
      expect((await addressesOf(shopper)).map((address) => [address.city, address.isDefault])).toEqual([['Paris', false]]);
    });

    it("treats another user's address as not there: it can be neither read, changed, made default nor removed", async () => {
      const [owner, other] = await Promise.all([build.user(), build.user()]);
      const address = await build.address(owner.id, {}, { isDefault: true });
      const intruder = await signIn(supergraph, other.email);
      for (const [query, variables] of [
        [UpdateAddress, { id: address.id, input: home }],
        [SetDefaultAddress, { id: address.id }],
        [RemoveAddress, { id: address.id }],
      ] as const) {
        const response = await change(query, intruder, variables);
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
        expect(response.status).toBe(404);
      }
      expect(await addressesOf(intruder)).toEqual([]);
      expect(await supergraph.users.prisma.address.findUniqueOrThrow({ where: { id: address.id } })).toMatchObject({ city: 'Paris' });
      expect((await supergraph.users.prisma.user.findUniqueOrThrow({ where: { id: other.id } })).defaultAddressId).toBeNull();
      const otherUsers = await supergraph.request({
        query: 'query OtherAddresses($id: ID!) { user(id: $id) { addresses { id } } }',
        variables: { id: owner.id },
        headers: intruder.headers,
      });
      expect(otherUsers.data).toEqual({ user: null });
    });

    it('refuses an invalid address with BAD_USER_INPUT naming the field, saving nothing', async () => {
      const user = await build.user();
      const shopper = await signIn(supergraph, user.email);
      for (const [input, field] of [
        [{ ...home, country: 'France' }, 'input.country'],
        [{ ...home, country: 'XX' }, 'input.country'],
        [{ ...home, fullName: ' ' }, 'input.fullName'],
        [{ ...home, postalCode: 'x'.repeat(21) }, 'input.postalCode'],
        [{ ...home, phone: 'not a phone' }, 'input.phone'],
      ] as const) {
        const response = await addAddress(shopper, input);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0]!.extensions!.field).toBe(field);
      }
      expect(await supergraph.users.prisma.address.count({ where: { userId: user.id } })).toBe(0);
    });
  });

  describe('updateProfile', () => {
    it('changes names and username of the caller only', async () => {
      const user = await build.user();
      const session = await signIn(supergraph, user.email);
      const username = handle();
      const response = await supergraph.request<{ updateProfile: { id: string; firstName: string; lastName: string | null } }>({
        query: UpdateProfile,
        variables: { input: { firstName: 'Renamed', lastName: null, username } },
        headers: session.headers,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.updateProfile).toMatchObject({ id: user.id, firstName: 'Renamed', lastName: null });
      expect((await me(session.accessToken)).data!.me.username).toBe(username);
    });
  });
});
