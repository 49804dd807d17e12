import type { LoginRateLimitConfig } from '@shop/config';
import { AppError, ErrorCode } from '@shop/errors';
import type { CounterStore } from '@shop/redis';
import { hashSecret } from './tokens.js';

/**
 * Brute-force brake on sign-in: failures are counted per account and per client address in
 * a fixed window; past the limit, attempts are refused before any password is checked
 * (which also spares the CPU an attacker would make us spend on argon2).
 */
export interface LoginLimiter {
  assertAllowed(email: string, clientIp: string | null): Promise<void>;
  recordFailure(email: string, clientIp: string | null): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

// Emails are hashed in keys: Redis holds no personal data.
const accountKey = (email: string) => `login-failures:account:${hashSecret(email)}`;
const clientKey = (clientIp: string) => `login-failures:client:${clientIp}`;

export function createLoginLimiter(store: CounterStore, config: LoginRateLimitConfig): LoginLimiter {
  const limited = (retryAfterSeconds: number) =>
    new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`, {
      retryAfterSeconds,
    });
  return {
    async assertAllowed(email, clientIp) {
      const [account, client] = await Promise.all([
        store.read(accountKey(email)),
        clientIp ? store.read(clientKey(clientIp)) : Promise.resolve({ count: 0, resetInSeconds: 0 }),
      ]);
      if (account.count >= config.maxFailuresPerAccount) throw limited(account.resetInSeconds);
      if (client.count >= config.maxFailuresPerClient) throw limited(client.resetInSeconds);
    },
    async recordFailure(email, clientIp) {
      await Promise.all([
        store.increment(accountKey(email), config.windowSeconds),
        clientIp ? store.increment(clientKey(clientIp), config.windowSeconds) : undefined,
      ]);
    },
    async recordSuccess(email) {
      await store.reset(accountKey(email));
    },
  };
}
