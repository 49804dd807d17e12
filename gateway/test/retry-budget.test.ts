import { describe, expect, it } from '@jest/globals';
import { RetryBudget } from '../src/retry-budget.js';

describe('the retry budget', () => {
  const budgetAt = (clock: { now: number }, options: { ratio: number; minPerSecond: number }) => new RetryBudget({ ...options, now: () => clock.now });

  /** Retries until the budget refuses, recording each. */
  const retriesAllowed = (budget: RetryBudget) => {
    let retries = 0;
    while (budget.allowsRetry() && retries < 10_000) {
      budget.recordRetry();
      retries += 1;
    }
    return retries;
  };

  it('allows a share of the requests of the last 10 s, plus its floor', () => {
    const clock = { now: 0 };
    const budget = budgetAt(clock, { ratio: 0.2, minPerSecond: 1 });
    for (let request = 0; request < 100; request += 1) budget.recordRequest();
    expect(retriesAllowed(budget)).toBe(20 + 10);
  });

  it('allows its floor on a quiet gateway, and nothing beyond it', () => {
    const budget = budgetAt({ now: 0 }, { ratio: 0.2, minPerSecond: 1 });
    expect(retriesAllowed(budget)).toBe(10);
  });

  it('forgets requests and retries once the window has moved past them', () => {
    const clock = { now: 0 };
    const budget = budgetAt(clock, { ratio: 0.5, minPerSecond: 0 });
    for (let request = 0; request < 10; request += 1) budget.recordRequest();
    expect(retriesAllowed(budget)).toBe(5);
    clock.now = 5_000;
    expect(budget.allowsRetry()).toBe(false);
    clock.now = 10_500;
    // The first slot's requests and retries are gone together.
    expect(budget.allowsRetry()).toBe(false);
    for (let request = 0; request < 4; request += 1) budget.recordRequest();
    expect(retriesAllowed(budget)).toBe(2);
  });
});
