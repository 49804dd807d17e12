import { once } from 'node:events';
import { Redis, ReplyError } from 'ioredis';
import type { RedisConfig } from '@shop/config';
import type { Logger } from '@shop/logging';

export type RedisConnectionConfig = Pick<RedisConfig, 'commandTimeoutMs' | 'connectTimeoutMs'> & { url: string };

/** Reconnection attempts back off to this, so a Redis that is back is used again within about a second. */
const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * A connection for request paths, which fails at once while Redis is away instead of making
 * anyone wait (docs/adr/0015). ioredis's own state is the circuit breaker: a command that gets
 * no reply within the command timeout fails, and the socket that went silent is dropped
 * (`socketTimeout`), so a frozen Redis counts as away like a stopped one; while it is away,
 * commands are refused without being queued (`enableOfflineQueue: false`), and the commands on
 * a dropped connection fail rather than being sent again later (`maxRetriesPerRequest: 0`,
 * `autoResendUnfulfilledCommands: false`). It reconnects by itself, for ever, each attempt
 * bounded by the connect timeout and its ready check by the command timeout. Commands issued
 * in the same tick leave in one write: under load a socket write per command costs more than
 * the commands themselves.
 */
export function connectRedis(config: RedisConnectionConfig): Redis {
  return new Redis(config.url, {
    commandTimeout: config.commandTimeoutMs,
    socketTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    enableAutoPipelining: true,
  });
}

/**
 * Resolves when the connection is ready, or has failed once, or after the connect timeout:
 * a service that starts beside a reachable Redis uses it from its first request, and one whose
 * Redis is away starts all the same.
 */
export async function firstConnection(redis: Redis, config: Pick<RedisConfig, 'connectTimeoutMs'>): Promise<void> {
  if (redis.status === 'ready') return;
  await once(redis, 'ready', { signal: AbortSignal.timeout(config.connectTimeoutMs) }).catch(() => undefined);
}

export interface RedisAvailability {
  /** Whether the connection can take commands right now ('down' while it reconnects). */
  state(): 'up' | 'down';
}

export function redisAvailability(redis: Redis): RedisAvailability {
  return { state: () => (redis.status === 'ready' ? 'up' : 'down') };
}

/**
 * Logs when Redis goes away (one warning) and when it is back (one info), whatever the
 * number of requests that met it meanwhile. Listening to 'error' also keeps ioredis from
 * printing every failed reconnection attempt.
 */
export function logRedisAvailability(redis: Redis, logger: Logger): void {
  let reported: 'up' | 'down' | null = null;
  const report = (state: 'up' | 'down', error?: Error) => {
    if (state === reported) return;
    if (state === 'down') logger.warn({ err: error }, 'Redis unreachable: going on without it until it is back');
    else logger.info('Redis reachable');
    reported = state;
  };
  redis.on('ready', () => report('up'));
  redis.on('reconnecting', () => report('down'));
  redis.on('error', (error: Error) => report('down', error));
}

/**
 * Runs Redis commands, or gives `fallback` when Redis is away or does not answer in time. An
 * error Redis itself answered with is a mistake of ours, not an outage: it is thrown.
 */
export async function unlessRedisIsAway<T>(commands: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await commands();
  } catch (error) {
    if (error instanceof ReplyError) throw error;
    return fallback;
  }
}
