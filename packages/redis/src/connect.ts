import { Redis } from 'ioredis';

/**
 * A connection that gives up on a command after two retries while Redis is unreachable,
 * so a request errors instead of hanging.
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 2_000 });
}
