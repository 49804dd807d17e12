import { RateLimiterMemory, RateLimiterRedis, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisConfig } from '@shop/config';
import { closeRedis } from './close.js';
import { connectRedis } from './connect.js';

/**
 * A Redis that does not answer within this is passed over for the in-process count: a caller
 * never waits longer on it, and is still counted (per instance) while Redis is away.
 */
const REDIS_TIMEOUT_MS = 100;

export interface WindowSpec {
  /** Part of every key, so that limiters do not share counts. */
  name: string;
  /** What a key may consume in one window before consume() refuses. */
  points: number;
  windowSeconds: number;
}

export interface RateLimiters<Name extends string> {
  limiters: Record<Name, RateLimiterAbstract>;
  close(): Promise<void>;
}

/**
 * rate-limiter-flexible's fixed windows: in Redis when configured, so that every instance
 * shares the counts, each with an in-process fallback; in process otherwise. All of them are
 * made here, at start: a Redis limiter defines its Lua command on the shared connection when
 * it is made, and made while an auto-pipelined batch is open, the batch would lack the
 * command and ioredis would throw outside any promise (ioredis#1931).
 */
export function createRateLimiters<Name extends string>(config: RedisConfig, specs: Record<Name, WindowSpec>): RateLimiters<Name> {
  const redis = config.url ? connectRedis(config.url) : null;
  const create = ({ name, points, windowSeconds }: WindowSpec): RateLimiterAbstract => {
    const window = { keyPrefix: `${config.keyPrefix}${name}`, points, duration: windowSeconds };
    const inProcess = new RateLimiterMemory(window);
    if (!redis) return inProcess;
    return new RLWrapperTimeouts({
      limiter: new RateLimiterRedis({ ...window, storeClient: redis, rejectIfRedisNotReady: true }),
      insuranceLimiter: inProcess,
      timeoutMs: REDIS_TIMEOUT_MS,
    });
  };
  const entries = Object.entries(specs) as Array<[Name, WindowSpec]>;
  return {
    limiters: Object.fromEntries(entries.map(([key, spec]) => [key, create(spec)])) as Record<Name, RateLimiterAbstract>,
    close: () => closeRedis(redis),
  };
}
