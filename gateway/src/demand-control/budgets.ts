import { LRUCache } from 'lru-cache';
import type { Viewer } from '@shop/auth';
import type { DemandControlConfig } from '@shop/config';
import { sharedWindow, type RedisClient } from '@shop/redis';
import { upTo } from '../bounded-lru.js';
/** Accounts this instance knows to be over budget: far more than a burst's distinct callers. */
const BLOCKED_ACCOUNTS = 100_000;

type BudgetSizes = DemandControlConfig['budgets'];

/** Who pays for an operation, and how many cost units it may spend per window. */
export interface BudgetAccount {
  key: string;
  capacity: number;
}

export function budgetAccountOf(viewer: Viewer, clientIp: string | null, sizes: BudgetSizes): BudgetAccount {
  switch (viewer.kind) {
    case 'user':
      return { key: `user:${viewer.userId}`, capacity: viewer.role === 'ADMIN' ? sizes.admin : sizes.user };
    case 'partner':
      return { key: `key:${viewer.apiKeyId}`, capacity: viewer.costBudget ?? sizes.apiKey };
    case 'anonymous':
      return { key: `ip:${clientIp ?? 'unknown'}`, capacity: sizes.anonymous };
  }
}

export interface BudgetSpend {
  allowed: boolean;
  /** Units left in this window after the spend (0 when refused). */
  remaining: number;
  /** Seconds until the window ends and the budget is whole again. */
  resetSeconds: number;
}

export interface CostBudgets {
  /** Spends `cost` units from the account's budget for this window, unless that would overdraw it. */
  spend(account: BudgetAccount, cost: number): Promise<BudgetSpend>;
  /**
   * Seconds until the account's window ends, when this instance has seen it overdraw its
   * budget; null otherwise. Costs no I/O, so a spent caller is turned away before its
   * request is even read.
   */
  blockedFor(account: BudgetAccount): number | null;
}

export interface CostBudgetsOptions {
  /**
   * Shared by every gateway instance when set; in process otherwise, and while Redis is away
   * (the budget is then per instance, not shared).
   */
  redis: RedisClient | null;
  keyPrefix: string;
  windowSeconds: number;
}

/**
 * Cost budgets on rate-limiter-flexible's fixed windows: each window an account may spend
 * its capacity, then it waits for the next. One counter serves every capacity (the limiter
 * only counts; the account's capacity is compared here), so a key whose budget an admin
 * changes keeps what it spent, and the limiter's Lua command is defined on the shared Redis
 * connection once, at start: defined while an auto-pipelined batch is open, the batch would
 * lack it and ioredis would throw outside any promise (ioredis#1931), killing the process.
 */
export function createCostBudgets(options: CostBudgetsOptions): CostBudgets {
  const window = { keyPrefix: `${options.keyPrefix}cost-budget`, points: Number.MAX_SAFE_INTEGER, duration: options.windowSeconds };
  const counter = sharedWindow(options.redis, window);
  /** Account key → when its window ends (ms since the epoch). */
  const blockedUntil = new LRUCache<string, number>(upTo(BLOCKED_ACCOUNTS));

  return {
    async spend(account, cost) {
      const spent = await counter.consume(account.key, cost);
      const resetSeconds = Math.max(1, Math.ceil(spent.msBeforeNext / 1000));
      if (spent.consumedPoints <= account.capacity) {
        return { allowed: true, remaining: account.capacity - spent.consumedPoints, resetSeconds };
      }
      blockedUntil.set(account.key, Date.now() + spent.msBeforeNext, { ttl: spent.msBeforeNext });
      return { allowed: false, remaining: 0, resetSeconds };
    },
    blockedFor(account) {
      const until = blockedUntil.get(account.key);
      return until === undefined ? null : Math.max(1, Math.ceil((until - Date.now()) / 1000));
    },
  };
}
