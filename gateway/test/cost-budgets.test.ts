import { afterAll, describe, expect, it } from '@jest/globals';
import { connectRedis } from '@shop/redis';
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
    const redis = connectRedis(testRedis.config.url!);
    try {
      const budgets = createCostBudgets({ redis, keyPrefix: testRedis.config.keyPrefix, windowSeconds: 10 });
      await redis.ping(); // connected: until then, budgets are counted in process
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

    it('counts in process after at most a short wait, and shares the count again once Redis answers', async () => {
      server = await startOwnRedis();
      const redis = connectRedis(server.url);
      try {
        await redis.ping();
        const budgets = createCostBudgets({ redis, keyPrefix: 'test:', windowSeconds: 60 });
        const caller = account('ip:203.0.113.9', 10);
        expect(await budgets.spend(caller, 4)).toMatchObject({ allowed: true, remaining: 6 });
        expect(await redis.get('test:cost-budget:ip:203.0.113.9')).toBe('4');

        server.freeze();
        const started = Date.now();
        // The in-process count starts afresh: a frozen Redis means a budget per instance, not a hang.
        expect(await budgets.spend(caller, 9)).toMatchObject({ allowed: true, remaining: 1 });
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(await budgets.spend(caller, 2)).toMatchObject({ allowed: false });

        // What was sent while it was frozen still lands: the shared count catches up with it.
        server.thaw();
        expect(await budgets.spend(caller, 1)).toMatchObject({ allowed: false });
        expect(await redis.get('test:cost-budget:ip:203.0.113.9')).toBe(String(4 + 9 + 2 + 1));
      } finally {
        redis.disconnect();
      }
    });
  });
});
