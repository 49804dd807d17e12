import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { parseConfig, redisSchema, type RedisConfig } from '@shop/config';
import { closeRedis, connectRedis } from '@shop/redis';
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
  // A loaded test machine stalls event loops for longer than production's command timeout, which
  // then reads as an outage and drops a store; tests of outages set production's own.
  const config = { ...parseConfig(redisSchema, { REDIS_COMMAND_TIMEOUT_MS: '1000' }), url, keyPrefix };
  if (!url) return { config, drop: async () => undefined };
  return {
    config,
    drop: async () => {
      const redis = connectRedis({ ...config, url, commandTimeoutMs: 5_000 });
      try {
        await once(redis, 'ready', { signal: AbortSignal.timeout(10_000) });
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        await closeRedis(redis);
      }
    },
  };
}

