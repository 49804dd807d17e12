import type { Redis } from 'ioredis';
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

/** Responses in Redis under `<REDIS_KEY_PREFIX>cache:`, shared by every gateway that uses it. */
export function createRedisStore(redis: Redis, keyPrefix: string): ResponseStore {
  const prefix = `${keyPrefix}cache:`;
  return {
    kind: 'redis',
    clock: async () => Number((await redis.get(`${prefix}clock`)) ?? 0),
    get: async (keys) => (await redis.mgetBuffer(...keys.map((key) => `${prefix}r:${key}`))).map(decodeResponse),
    put: async (key, response, tags, clock) =>
      (await redis.eval(PUT, 0, prefix, key, encodeResponse(response), response.maxAge * 1000, clock, ...tags)) === 1,
    async purge(tags) {
      if (tags.length > 0) await redis.eval(PURGE, 0, prefix, PURGE_MEMORY_MS, ...tags);
    },
    claim: async (key, ttlMs) => (await redis.set(`${prefix}lock:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK',
    release: async (key) => {
      await redis.del(`${prefix}lock:${key}`);
    },
    checkpoint: (feed) => redis.get(`${prefix}feed:${feed}`),
    saveCheckpoint: async (feed, seq) => {
      await redis.set(`${prefix}feed:${feed}`, seq);
    },
    close: async () => {
      await redis.quit();
    },
  };
}
