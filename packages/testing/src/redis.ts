import { randomBytes } from 'node:crypto';
import type { RedisConfig } from '@shop/config';
import { connectRedis } from '@shop/redis';
import { testConfig } from './test-config.js';

export interface TestRedis {
  config: RedisConfig;
  /** Removes every key the run wrote. */
  drop(): Promise<void>;
}

/** True when tests run on a real Redis (TEST_REDIS_URL), which several gateway instances can share. */
export const sharedRedis = testConfig.redisUrl !== null;

/**
 * Real Redis under a key prefix of the run's own when TEST_REDIS_URL is set (CI) and the test
 * does not ask for in-process stores (`shared: false`); in process otherwise.
 */
export function createTestRedis({ shared = true } = {}): TestRedis {
  const keyPrefix = `test:${randomBytes(6).toString('hex')}:`;
  const url = shared ? testConfig.redisUrl : null;
  if (!url) return { config: { url: null, keyPrefix }, drop: async () => undefined };
  return {
    config: { url, keyPrefix },
    drop: async () => {
      const redis = connectRedis(url);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        await redis.quit();
      }
    },
  };
}

