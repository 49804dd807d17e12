import type { RedisClient } from './connect.js';

/** quit() waits for Redis to answer, which a frozen Redis never does. */
const QUIT_TIMEOUT_MS = 1_000;

/** Closes a connection politely when Redis answers, and drops it after a second when it does not. */
export async function closeRedis(redis: RedisClient | null): Promise<void> {
  if (!redis) return;
  let timer: NodeJS.Timeout | undefined;
  const dropped = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      redis.disconnect();
      resolve();
    }, QUIT_TIMEOUT_MS);
  });
  await Promise.race([redis.quit().catch(() => undefined), dropped]);
  clearTimeout(timer);
}
