import { afterAll, describe, expect, it } from '@jest/globals';
import { loginRateLimitSchema, parseConfig, passwordResetSchema, redisSchema, registrationRateLimitSchema } from '@shop/config';
import { AppError } from '@shop/errors';
import { createLogger } from '@shop/logging';
import { connectRedis, createRateLimiters } from '@shop/redis';
import { startOwnRedis, type OwnRedis } from '@shop/testing';
import { createThrottles, throttleWindows } from '../src/services/throttles.js';

const codeOf = (refusal: unknown) => (refusal instanceof AppError ? refusal.code : refusal);

describe('sign-in throttles on a Redis of their own that freezes', () => {
  let server: OwnRedis | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('wait on it only briefly, and go on counting in process: attempts stay bounded', async () => {
    server = await startOwnRedis();
    const redisConfig = { ...parseConfig(redisSchema, { REDIS_KEY_PREFIX: 'test:' }), url: server.url };
    const inspector = connectRedis(redisConfig);
    inspector.on('error', () => undefined);
    await new Promise((resolve) => inspector.once('ready', resolve));
    const config = parseConfig(loginRateLimitSchema, {});
    const windows = throttleWindows(config, parseConfig(registrationRateLimitSchema, {}), parseConfig(passwordResetSchema, {}));
    const rateLimiters = createRateLimiters(redisConfig, windows, createLogger('test-users', 'silent'));
    const { loginLimiter } = createThrottles(rateLimiters.limiters, config);
    try {
      // Until its connection is ready, the count is kept in process; then it lands in Redis.
      const sharedKey = 'test:login-failures:client:198.51.100.7';
      for (let attempt = 0; attempt < 20 && (await inspector.get(sharedKey)) === null; attempt += 1) {
        await loginLimiter.admit(`someone-${attempt}@example.test`, '198.51.100.7');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(Number(await inspector.get(sharedKey))).toBeGreaterThan(0);

      server.freeze();
      // The in-process count starts afresh: a frozen Redis costs one limit per instance, and a wait of
      // at most its command timeout.
      for (let failure = 0; failure < config.maxFailuresPerAccountAndClient; failure += 1) {
        const started = Date.now();
        await loginLimiter.admit('owner@example.test', '198.51.100.8');
        expect(Date.now() - started).toBeLessThan(redisConfig.commandTimeoutMs + 250);
      }
      const started = Date.now();
      await expect(loginLimiter.admit('owner@example.test', '198.51.100.8').catch(codeOf)).resolves.toBe('RATE_LIMITED');
      expect(Date.now() - started).toBeLessThan(redisConfig.commandTimeoutMs + 250);
    } finally {
      server.thaw();
      await rateLimiters.close();
      inspector.disconnect();
    }
  });
});
