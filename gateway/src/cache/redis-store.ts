import type { Redis } from 'ioredis';
import type { Logger } from '@shop/logging';
import { redisAvailability, unlessRedisIsAway } from '@shop/redis';
import { decodeResponse, encodeResponse, PURGE_MEMORY_MS, type ResponseStore } from './store.js';

// Scripts run atomically in Redis, so a purge and a store of the same tag never interleave.
// They name keys built from the prefix (standalone Redis; not cluster-safe).

/** ARGV: prefix, key, value, ttlMs, clock, tags... → 1 when stored. */
const PUT = `
local prefix, key, value, ttl, clock = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
for i = 6, #ARGV do
  local purged = redis.call('GET', prefix .. 'purged:' .. ARGV[i])
  if purged and tonumber(purged) > clock then return 0 end
end
redis.call('SET', prefix .. 'r:' .. key, value, 'PX', ttl)
for i = 6, #ARGV do
  local tagKey = prefix .. 'tag:' .. ARGV[i]
  redis.call('SADD', tagKey, key)
  if redis.call('PTTL', tagKey) < ttl then redis.call('PEXPIRE', tagKey, ttl) end
end
return 1`;

/** ARGV: prefix, purgeMemoryMs, tags... */
const PURGE = `
local prefix, memory = ARGV[1], tonumber(ARGV[2])
local clock = redis.call('INCR', prefix .. 'clock')
for i = 3, #ARGV do
  local tagKey = prefix .. 'tag:' .. ARGV[i]
  local keys = redis.call('SMEMBERS', tagKey)
  for j = 1, #keys, 500 do
    local batch = {}
    for k = j, math.min(j + 499, #keys) do batch[#batch + 1] = prefix .. 'r:' .. keys[k] end
    redis.call('DEL', unpack(batch))
  end
  redis.call('DEL', tagKey)
  redis.call('SET', prefix .. 'purged:' .. ARGV[i], clock, 'PX', memory)
end
return clock`;

/**
 * Responses in Redis under `<REDIS_KEY_PREFIX>cache:`, shared by every gateway that uses it.
 * While Redis is away (docs/adr/0015) reads find nothing, stores are dropped, and purges are
 * remembered: they are made when Redis is back, and until then the store says it is not
 * reachable, so that no answer they make stale is served.
 */
export function createRedisStore(redis: Redis, keyPrefix: string, logger: Logger): ResponseStore {
  const prefix = `${keyPrefix}cache:`;
  const availability = redisAvailability(redis);
  const missedPurges = new Set<string>();
  const purge = (tags: readonly string[]) => redis.eval(PURGE, 0, prefix, PURGE_MEMORY_MS, ...tags);
  const purgeMissed = async () => {
    const tags = [...missedPurges];
    if (tags.length === 0 || !(await unlessRedisIsAway(() => purge(tags).then(() => true), false))) return;
    for (const tag of tags) missedPurges.delete(tag);
  };
  redis.on('ready', () => void purgeMissed().catch((error: unknown) => logger.warn({ err: error }, 'response cache: purges missed while Redis was away failed')));
  return {
    kind: 'redis',
    reachable: () => availability.state() === 'up' && missedPurges.size === 0,
    clock: () => unlessRedisIsAway(async () => Number((await redis.get(`${prefix}clock`)) ?? 0), Number.NaN),
    get: (keys) =>
      unlessRedisIsAway(async () => (await redis.mgetBuffer(...keys.map((key) => `${prefix}r:${key}`))).map(decodeResponse), keys.map(() => null)),
    put: (key, response, tags, clock) =>
      unlessRedisIsAway(async () => (await redis.eval(PUT, 0, prefix, key, encodeResponse(response), response.maxAge * 1000, clock, ...tags)) === 1, false),
    async purge(tags) {
      if (tags.length === 0) return;
      const purged = await unlessRedisIsAway(() => purge(tags).then(() => true), false);
      if (!purged) for (const tag of tags) missedPurges.add(tag);
    },
    // Without Redis no other instance can claim a key: this one computes.
    claim: (key, ttlMs) => unlessRedisIsAway(async () => (await redis.set(`${prefix}lock:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK', true),
    release: (key) => unlessRedisIsAway(async () => void (await redis.del(`${prefix}lock:${key}`)), undefined),
    // The event feeds wait for Redis: a checkpoint must not be lost or guessed.
    checkpoint: (feed) => redis.get(`${prefix}feed:${feed}`),
    saveCheckpoint: async (feed, seq) => {
      await redis.set(`${prefix}feed:${feed}`, seq);
    },
  };
}
