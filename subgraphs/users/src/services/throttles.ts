import type { LoginRateLimitConfig, PasswordResetConfig, RegistrationRateLimitConfig } from '@shop/config';
import { AppError, ErrorCode } from '@shop/errors';
import type { WindowSpec } from '@shop/redis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { hashSecret } from './tokens.js';

/**
 * Brute-force brakes on sign-in and registration (docs/adr/0010). Every attempt takes its
 * points before any password is hashed or checked, in one atomic step per counter, so
 * concurrent attempts cannot overtake a limit (and a refused one costs no argon2).
 */
export interface LoginLimiter {
  /** Counts the attempt as a failure, or refuses it with RATE_LIMITED. */
  admit(email: string, clientIp: string | null): Promise<AdmittedLogin>;
}

export interface AdmittedLogin {
  /** The password was right: the attempt was no failure, and its address is now one the owner uses. */
  succeeded(): Promise<void>;
}

export interface RegistrationLimiter {
  /** Counts a registration from the client address, or refuses it with RATE_LIMITED. */
  admit(clientIp: string | null): Promise<void>;
}

export interface PasswordResetLimiter {
  /**
   * Counts a reset request for the email and from the client address, or refuses it with
   * RATE_LIMITED: whether the email has an account or not, so a refusal tells nothing either.
   */
  admit(email: string, clientIp: string | null): Promise<void>;
}

/**
 * How long an address the owner signed in from is spared the account's slowdown (the
 * in-process store expires keys with timers, which cannot wait past 24.8 days).
 */
const KNOWN_CLIENT_SECONDS = 14 * 86_400;

type ThrottleWindow =
  | 'loginClient'
  | 'loginAccountClient'
  | 'loginAccount'
  | 'loginAccountPace'
  | 'loginKnownClient'
  | 'registrationClient'
  | 'passwordResetEmail'
  | 'passwordResetClient';

export function throttleWindows(
  login: LoginRateLimitConfig,
  registration: RegistrationRateLimitConfig,
  passwordReset: PasswordResetConfig,
): Record<ThrottleWindow, WindowSpec> {
  return {
    loginClient: { name: 'login-failures:client', points: login.maxFailuresPerClient, windowSeconds: login.windowSeconds },
    loginAccountClient: { name: 'login-failures:account-client', points: login.maxFailuresPerAccountAndClient, windowSeconds: login.windowSeconds },
    loginAccount: { name: 'login-failures:account', points: login.accountSlowdownAfter, windowSeconds: login.accountWindowSeconds },
    // One attempt per wait; each attempt sets its own wait.
    loginAccountPace: { name: 'login-pace:account', points: 1, windowSeconds: login.accountMaxDelaySeconds },
    loginKnownClient: { name: 'login-known:account-client', points: 1, windowSeconds: KNOWN_CLIENT_SECONDS },
    registrationClient: { name: 'registrations:client', points: registration.maxPerClient, windowSeconds: registration.windowSeconds },
    passwordResetEmail: { name: 'password-resets:email', points: passwordReset.maxPerEmail, windowSeconds: passwordReset.windowSeconds },
    passwordResetClient: { name: 'password-resets:client', points: passwordReset.maxPerClient, windowSeconds: passwordReset.windowSeconds },
  };
}

const rateLimited = (what: string, msBeforeNext: number) => {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `Too many ${what}; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
};

/** One point from the key's window; a refusal is a result here, not an error. */
async function takePoint(limiter: RateLimiterAbstract, key: string): Promise<{ allowed: boolean; count: RateLimiterRes }> {
  try {
    return { allowed: true, count: await limiter.consume(key) };
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return { allowed: false, count: refusal };
    throw refusal;
  }
}

const clientKey = (clientIp: string | null) => clientIp ?? 'unknown';

export function createThrottles(limiters: Record<ThrottleWindow, RateLimiterAbstract>, config: LoginRateLimitConfig) {
  const login: LoginLimiter = {
    async admit(email, clientIp) {
      // Emails are hashed in keys: Redis holds no personal data.
      const account = hashSecret(email);
      const client = clientKey(clientIp);
      const accountClient = `${account}:${client}`;
      const taken: Array<[RateLimiterAbstract, string]> = [];
      const giveBack = () => Promise.all(taken.map(([limiter, key]) => limiter.reward(key)));
      const refuse = async (msBeforeNext: number) => {
        // A refused attempt reaches no password: it is not counted as a failure anywhere.
        await giveBack();
        return rateLimited('sign-in attempts', msBeforeNext);
      };

      // Hard limits first: an address past them does not add to the account's count.
      const hard = await Promise.all([takePoint(limiters.loginClient, client), takePoint(limiters.loginAccountClient, accountClient)]);
      taken.push([limiters.loginClient, client], [limiters.loginAccountClient, accountClient]);
      const refusals = hard.filter((result) => !result.allowed);
      if (refusals.length > 0) throw await refuse(Math.max(...refusals.map((result) => result.count.msBeforeNext)));

      // Past its free failures an account slows down rather than locks: one attempt per wait,
      // the wait doubling with each failure (OWASP's exponential lockout), and none at all for
      // an address its owner signed in from.
      const accountCount = await takePoint(limiters.loginAccount, account);
      taken.push([limiters.loginAccount, account]);
      if (!accountCount.allowed && !(await limiters.loginKnownClient.get(accountClient))) {
        const failuresPastBound = accountCount.count.consumedPoints - config.accountSlowdownAfter;
        const waitSeconds = Math.min(2 ** (failuresPastBound - 1), config.accountMaxDelaySeconds);
        const slot = await limiters.loginAccountPace.penalty(account, 1, { customDuration: waitSeconds });
        if (slot.consumedPoints > 1) throw await refuse(slot.msBeforeNext);
      }

      return {
        async succeeded() {
          await Promise.all([giveBack(), limiters.loginKnownClient.set(accountClient, 1, KNOWN_CLIENT_SECONDS)]);
        },
      };
    },
  };

  const registration: RegistrationLimiter = {
    async admit(clientIp) {
      const { allowed, count } = await takePoint(limiters.registrationClient, clientKey(clientIp));
      if (!allowed) throw rateLimited('registrations from this address', count.msBeforeNext);
    },
  };

  const passwordReset: PasswordResetLimiter = {
    async admit(email, clientIp) {
      const keys: Array<[RateLimiterAbstract, string]> = [
        [limiters.passwordResetClient, clientKey(clientIp)],
        [limiters.passwordResetEmail, hashSecret(email)],
      ];
      const results = await Promise.all(keys.map(([limiter, key]) => takePoint(limiter, key)));
      const refusals = results.filter((result) => !result.allowed);
      if (refusals.length === 0) return;
      // A refused request is not counted: a client held back by one limit does not use up the other.
      await Promise.all(keys.map(([limiter, key], index) => (results[index]!.allowed ? limiter.reward(key) : null)));
      throw rateLimited('password reset requests', Math.max(...refusals.map((result) => result.count.msBeforeNext)));
    },
  };

  return { loginLimiter: login, registrationLimiter: registration, passwordResetLimiter: passwordReset };
}
