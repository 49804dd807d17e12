import { Redis } from 'ioredis';

/**
 * A connection that gives up on a command after two retries while Redis is unreachable,
 * so a request errors instead of hanging. Commands issued in the same tick leave in one
 * write: under load a socket write per command costs more than the commands themselves.
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 2_000, enableAutoPipelining: true });
}
