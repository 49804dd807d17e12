import { randomUUID } from 'node:crypto';
import { loginRateLimitSchema, parseConfig, passwordResetSchema, redisSchema, registrationRateLimitSchema } from '@shop/config';
import { testKeyRing } from '@shop/testing/subgraph';
import type { UsersPrisma } from '../src/data/client.js';
import type { Prisma } from '../src/generated/prisma/client.js';
import { hashPassword } from '../src/services/passwords.js';
import { API_KEY_PREFIX, hashSecret, newSecret } from '../src/services/tokens.js';

/** What startUsers takes beyond a subgraph's common options, as tests and benches run it: test keys, default limits, throttles in the process. */
export const usersTestSettings = () => ({
  tokens: { keys: testKeyRing(), accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 86_400 },
  loginRateLimit: parseConfig(loginRateLimitSchema, {}),
  registrationRateLimit: parseConfig(registrationRateLimitSchema, {}),
  passwordReset: parseConfig(passwordResetSchema, {}),
  redis: parseConfig(redisSchema, {}),
});

/** The password every built account gets unless a test gives its own. */
export const TEST_PASSWORD = 'test-password-123';

type UserData = Partial<Omit<Prisma.UserUncheckedCreateInput, 'passwordHash'>> & { password?: string };

/** Small builders: each test makes the accounts and keys it uses, with unique emails. */
export function userBuilders(prisma: UsersPrisma) {
  return {
    user: async ({ password = TEST_PASSWORD, ...data }: UserData = {}) => {
      const handle = `user-${randomUUID().slice(0, 12)}`;
      const user = await prisma.user.create({
        data: { email: `${handle}@example.test`, username: handle, passwordHash: await hashPassword(password), ...data },
      });
      return { ...user, password };
    },
    /** A saved address of the user's (a Paris one unless told otherwise), made the default when asked. */
    address: async (userId: string, data: Partial<Omit<Prisma.AddressUncheckedCreateInput, 'userId'>> = {}, { isDefault = false } = {}) => {
      const address = await prisma.address.create({
        data: { userId, fullName: 'Ada Lovelace', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR', ...data },
      });
      if (isDefault) await prisma.user.update({ where: { id: userId }, data: { defaultAddressId: address.id } });
      return address;
    },
    /** An API key as createApiKey would make it; returns the secret with the record. */
    apiKey: async (ownerId: string, data: Partial<Prisma.ApiKeyUncheckedCreateInput> = {}) => {
      const key = newSecret(API_KEY_PREFIX);
      const record = await prisma.apiKey.create({
        data: { name: 'test key', keyPrefix: key.slice(0, 9), keyHash: hashSecret(key), ownerId, scopes: ['stock:read'], ...data },
      });
      return { ...record, key };
    },
  };
}

export type UserBuilders = ReturnType<typeof userBuilders>;
