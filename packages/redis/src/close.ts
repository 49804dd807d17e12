import type { RedisClient } from './connect.js';

/** quit() waits for Redis to answer, which a frozen Redis never does. */
const QUIT_TIMEOUT_MS = 1_000;

/** Closes a connection politely when Redis answers, and drops it after a second when it does not, or at once when it is not connected. */
export async function closeRedis(redis: RedisClient | null): Promise<void> {
  if (!redis) return;
  let timer: NodeJS.Timeout | undefined;
  const dropped = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      redis.disconnect();
      resolve();
    }, QUIT_TIMEOUT_MS);
  });
  // A quit Redis refuses (not connected, so it cannot be sent) leaves the connection reconnecting: it is dropped.
  await Promise.race([redis.quit().catch(() => redis.disconnect()), dropped]);
  clearTimeout(timer);
}
