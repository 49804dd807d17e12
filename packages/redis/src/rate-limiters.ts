import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisConfig } from '@shop/config';
import type { Logger } from '@shop/logging';
import { closeRedis } from './close.js';
import { connectRedis, logRedisAvailability, redisAvailability, type RedisAvailability, type RedisClient } from './connect.js';

export interface WindowSpec {
  /** Part of every key, so that limiters do not share counts. */
  name: string;
  /** What a key may consume in one window before consume() refuses. */
  points: number;
  windowSeconds: number;
}

/** A fixed window as rate-limiter-flexible defines one: `points` per `duration` seconds, keys under `keyPrefix`. */
export interface FixedWindow {
  keyPrefix: string;
  points: number;
  duration: number;
}

/**
 * rate-limiter-flexible asks an ioredis client's own status whether Redis is there; a cluster
 * reports 'ready' while one of its masters is lost, and a command for that master's slots then
 * waits the whole command timeout in the node's offline queue (ioredis always queues on a
 * cluster's nodes). Asked our availability instead, a lost master sends the count in process
 * at once, as the response cache bypasses itself (docs/adr/0027).
 */
class AvailabilityAwareRateLimiter extends RateLimiterRedis {
  constructor(
    options: ConstructorParameters<typeof RateLimiterRedis>[0],
    private readonly availability: RedisAvailability,
  ) {
    super(options);
  }

  // rate-limiter-flexible's own check before each command (not in its typings).
  _isRedisReady(): boolean {
    return this.availability.state() === 'up';
  }
}

/**
 * A fixed window counted in Redis, so that every instance shares the counts, and in process
 * while Redis is away: not connected (on a cluster, any master), it is passed over at once;
 * frozen, after the connection's command timeout (docs/adr/0015). Without Redis, in process only.
 */
export function sharedWindow(redis: RedisClient | null, window: FixedWindow): RateLimiterAbstract {
  const inProcess = new RateLimiterMemory(window);
  if (!redis) return inProcess;
  return new AvailabilityAwareRateLimiter({ ...window, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: inProcess }, redisAvailability(redis));
}

export interface RateLimiters<Name extends string> {
  limiters: Record<Name, RateLimiterAbstract>;
  close(): Promise<void>;
}

/**
 * rate-limiter-flexible's fixed windows, shared through Redis when configured (see
 * sharedWindow). All of them are made here, at start: a Redis limiter defines its Lua command
 * on the shared connection when it is made, and made while an auto-pipelined batch is open,
 * the batch would lack the command and ioredis would throw outside any promise (ioredis#1931).
 */
export function createRateLimiters<Name extends string>(config: RedisConfig, specs: Record<Name, WindowSpec>, logger: Logger): RateLimiters<Name> {
  const redis = config.url ? connectRedis({ ...config, url: config.url }) : null;
  if (redis) logRedisAvailability(redis, logger);
  const entries = Object.entries(specs) as Array<[Name, WindowSpec]>;
  return {
    limiters: Object.fromEntries(
      entries.map(([key, { name, points, windowSeconds }]) => [key, sharedWindow(redis, { keyPrefix: `${config.keyPrefix}${name}`, points, duration: windowSeconds })]),
    ) as Record<Name, RateLimiterAbstract>,
    close: () => closeRedis(redis),
  };
}
