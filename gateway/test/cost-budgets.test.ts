import { once } from 'node:events';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parseConfig, redisSchema } from '@shop/config';
import { createLogger } from '@shop/logging';
import { connectRedis, logRedisAvailability } from '@shop/redis';
import { createTestRedis, sharedRedis, startOwnRedis, type OwnRedis } from '@shop/testing';
import { createCostBudgets, type BudgetAccount } from '../src/demand-control/budgets.js';

const account = (key: string, capacity: number): BudgetAccount => ({ key, capacity });

describe('cost budgets', () => {
  it('spends within a window, refuses an overdraft, and refills when the window ends', async () => {
    const budgets = createCostBudgets({ redis: null, keyPrefix: 'test:', windowSeconds: 1 });
    const caller = account('ip:198.51.100.1', 10);
    expect(await budgets.spend(caller, 6)).toMatchObject({ allowed: true, remaining: 4 });
    expect(budgets.blockedFor(caller)).toBeNull();
    expect(await budgets.spend(caller, 5)).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 1 });
    expect(budgets.blockedFor(caller)).toBe(1);
    // Another account, even of the same capacity, is untouched.
    expect(await budgets.spend(account('ip:198.51.100.2', 10), 10)).toMatchObject({ allowed: true, remaining: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(budgets.blockedFor(caller)).toBeNull();
    expect(await budgets.spend(caller, 10)).toMatchObject({ allowed: true, remaining: 0 });
  });

  (sharedRedis ? it : it.skip)('survives a first spend while other commands are pipelined on the connection', async () => {
    const testRedis = createTestRedis();
    const redis = connectRedis({ ...testRedis.config, url: testRedis.config.url! });
    try {
      const budgets = createCostBudgets({ redis, keyPrefix: testRedis.config.keyPrefix, windowSeconds: 10 });
      await once(redis, 'ready'); // until then, budgets are counted in process
      // Cache reads in flight in the same tick as the first spend of a capacity seen for the first time.
      const reads = Array.from({ length: 5 }, (_, index) => redis.get(`${testRedis.config.keyPrefix}read:${index}`));
      expect(await budgets.spend(account('key:one', 7), 3)).toMatchObject({ allowed: true, remaining: 4 });
      await Promise.all(reads);
      expect(await budgets.spend(account('key:one', 7), 5)).toMatchObject({ allowed: false });
    } finally {
      await redis.quit();
      await testRedis.drop();
    }
  });

  describe('with a Redis of its own that freezes', () => {
    let server: OwnRedis | undefined;
    afterAll(() => server?.stop());

    it('counts in process after at most its command timeout, and shares the count again once Redis is back', async () => {
      server = await startOwnRedis();
      const config = { ...parseConfig(redisSchema, {}), url: server.url };
      const redis = connectRedis(config);
      logRedisAvailability(redis, createLogger('test-gateway', 'silent'));
      try {
        await once(redis, 'ready');
        const budgets = createCostBudgets({ redis, keyPrefix: 'test:', windowSeconds: 60 });
        const caller = account('ip:203.0.113.9', 10);
        expect(await budgets.spend(caller, 4)).toMatchObject({ allowed: true, remaining: 6 });
        expect(await redis.get('test:cost-budget:ip:203.0.113.9')).toBe('4');

        server.freeze();
        const started = Date.now();
        // The in-process count starts afresh: a frozen Redis means a budget per instance, not a hang.
        expect(await budgets.spend(caller, 9)).toMatchObject({ allowed: true, remaining: 1 });
        expect(Date.now() - started).toBeLessThan(config.commandTimeoutMs + 250);
        // Known to be away now: no wait for a command timeout (what is left is the machine's own delay).
        const known = Date.now();
        expect(await budgets.spend(caller, 2)).toMatchObject({ allowed: false });
        expect(Date.now() - known).toBeLessThan(config.commandTimeoutMs);

        server.thaw();
        await once(redis, 'ready');
        const another = account('ip:203.0.113.10', 10);
        expect(await budgets.spend(another, 3)).toMatchObject({ allowed: true, remaining: 7 });
        expect(await redis.get('test:cost-budget:ip:203.0.113.10')).toBe('3');
      } finally {
        redis.disconnect();
      }
    });
  });
});
