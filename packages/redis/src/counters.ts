import type { Redis } from 'ioredis';
import type { RedisConfig } from '@shop/config';
import { connectRedis } from './connect.js';

export interface WindowCount {
  count: number;
  /** Seconds until the window closes and the count starts again from zero. */
  resetInSeconds: number;
}

/**
 * Fixed-window counters (failed logins and the like): in Redis when configured, so every
 * instance shares them, in process otherwise.
 */
export interface CounterStore {
  /** Counts one more hit; the first hit opens a window of `windowSeconds`. */
  increment(key: string, windowSeconds: number): Promise<WindowCount>;
  read(key: string): Promise<WindowCount>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, windowSeconds: number): Promise<WindowCount> {
    const results = await this.redis
      .multi()
      .incr(this.prefix + key)
      .expire(this.prefix + key, windowSeconds, 'NX')
      .ttl(this.prefix + key)
      .exec();
    const [[, count], , [, ttl]] = results as [[null, number], unknown, [null, number]];
    return { count, resetInSeconds: Math.max(ttl, 0) };
  }

  async read(key: string): Promise<WindowCount> {
    const results = await this.redis.multi().get(this.prefix + key).ttl(this.prefix + key).exec();
    const [[, count], [, ttl]] = results as [[null, string | null], [null, number]];
    return { count: Number(count ?? 0), resetInSeconds: Math.max(ttl, 0) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

const MAX_MEMORY_KEYS = 100_000;

class MemoryCounterStore implements CounterStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  private current(key: string) {
    const window = this.windows.get(key);
    if (window && window.endsAt > Date.now()) return window;
    this.windows.delete(key);
    return undefined;
  }

  private view(window: { count: number; endsAt: number } | undefined): WindowCount {
    return window ? { count: window.count, resetInSeconds: Math.ceil((window.endsAt - Date.now()) / 1000) } : { count: 0, resetInSeconds: 0 };
  }

  async increment(key: string, windowSeconds: number): Promise<WindowCount> {
    let window = this.current(key);
    if (!window) {
      if (this.windows.size >= MAX_MEMORY_KEYS) this.sweep();
      window = { count: 0, endsAt: Date.now() + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return this.view(window);
  }

  async read(key: string): Promise<WindowCount> {
    return this.view(this.current(key));
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async close(): Promise<void> {
    this.windows.clear();
  }

  /** Bounded memory: expired windows go first, then the oldest if an attacker floods keys. */
  private sweep() {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_MEMORY_KEYS) break;
      this.windows.delete(key);
    }
  }
}

export function createCounterStore(config: RedisConfig): CounterStore {
  return config.url ? new RedisCounterStore(connectRedis(config.url), config.keyPrefix) : new MemoryCounterStore();
}
