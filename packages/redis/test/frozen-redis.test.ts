import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOwnRedis, type OwnRedis } from '@shop/testing';
import { connectRedis, firstConnection, sharedWindow, whileRedisIsUp, type RedisClient } from '../src/index.js';

const COMMAND_TIMEOUT_MS = 150;
/** A shared two-core machine's scheduling noise. */
const JITTER_MS = 100;

/**
 * A frozen Redis (SIGSTOP: connections stay open, nothing answers) costs one command timeout per
 * connection, then everyone is sent on at once: the silent socket is dropped, and a caller
 * whose next command leaves in the same tick, before the drop is seen, is failed with it rather
 * than waiting a timeout of its own. The supergraph's outage test bounds a sign-in by this.
 */
describe('a frozen Redis', () => {
  let redis: OwnRedis;
  let client: RedisClient;

  beforeAll(async () => {
    redis = await startOwnRedis();
    client = connectRedis({ url: redis.url, commandTimeoutMs: COMMAND_TIMEOUT_MS, connectTimeoutMs: 1_000 });
    client.on('error', () => undefined);
    await firstConnection(client, { connectTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };

  it.each([
    ['back to back', () => Promise.resolve()],
    ['a tick apart', () => new Promise((resolve) => setImmediate(resolve))],
    ['during the reconnection', () => new Promise((resolve) => setTimeout(resolve, 120))],
  ])('costs sequential callers one command timeout in all, %s', async (_, between) => {
    const whileUp = whileRedisIsUp(client);
    const window = sharedWindow(client, { keyPrefix: `frozen-${Math.random()}`, points: 100, duration: 60 });
    await window.consume('warm');
    expect(client.status).toBe('ready');
    redis.freeze();
    const waits: number[] = [];
    try {
      for (let step = 0; step < 6; step++) {
        waits.push(await timed(() => (step % 2 === 0 ? window.consume('key') : whileUp(() => client.get('key'), null))));
        await between();
      }
    } finally {
      redis.thaw();
    }
    const [first, ...rest] = waits;
    expect(first).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 5);
    expect(first).toBeLessThan(COMMAND_TIMEOUT_MS + JITTER_MS);
    expect(Math.max(...rest)).toBeLessThan(JITTER_MS);
    // Thawed, it reconnects by itself.
    while (client.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
  }, 20_000);
});
