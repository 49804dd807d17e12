import type { Logger } from '@shop/logging';
import { redisAvailability, watchRedisAvailability, whileRedisIsUp, type RedisClient } from '@shop/redis';
import { decodeResponse, encodeResponse, PURGE_MEMORY_MS, type ResponseStore } from './store.js';

/**
 * Entries are spread over this many shards, each one hash slot on a Redis Cluster (the `{s<n>}`
 * in their keys): an entry, the tag sets that list it and the purge stamps its store checks all
 * live in its shard, so each script touches one slot, and a purge visits every shard
 * (docs/adr/0027). More shards spread the cache over more nodes; each costs a script per purge.
 */
const SHARDS = 16;
/** A purge Redis refused while connected (a cluster that is down) is tried again this soon. */
const MISSED_PURGE_RETRY_MS = 1_000;

/** FNV-1a: which shard a key lives in, the same in every gateway. */
function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % SHARDS;
}

// Scripts run atomically in Redis, so a purge and a store of the same tag in one shard never
// interleave. They name the keys they are given, and the entries a tag set lists, which its
// shard's hash tag puts in the same slot.

/** KEYS: the entry, each tag's set, each tag's purge stamp. ARGV: value, ttlMs, clock, key → 1 when stored. */
const PUT = `
local value, ttl, clock, key = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local tags = (#KEYS - 1) / 2
for i = 1, tags do
  local purged = redis.call('GET', KEYS[1 + tags + i])
  if purged and tonumber(purged) > clock then return 0 end
end
redis.call('SET', KEYS[1], value, 'PX', ttl)
for i = 1, tags do
  local tagKey = KEYS[1 + i]
  redis.call('SADD', tagKey, key)
  if redis.call('PTTL', tagKey) < ttl then redis.call('PEXPIRE', tagKey, ttl) end
end
return 1`;

/** KEYS: each tag's set, each tag's purge stamp. ARGV: the shard's entry prefix, clock, purgeMemoryMs. */
const PURGE = `
local entries, clock, memory = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local tags = #KEYS / 2
for i = 1, tags do
  local keys = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #keys, 500 do
    local batch = {}
    for k = j, math.min(j + 499, #keys) do batch[#batch + 1] = entries .. keys[k] end
    redis.call('DEL', unpack(batch))
  end
  redis.call('DEL', KEYS[i])
  -- Two purges of a tag may reach a shard in either order: its stamp never goes back.
  local purged = redis.call('GET', KEYS[tags + i])
  if not purged or tonumber(purged) < clock then redis.call('SET', KEYS[tags + i], clock, 'PX', memory) end
end
return 1`;

/**
 * Responses in Redis under `<REDIS_KEY_PREFIX>cache:`, shared by every gateway that uses it.
 * While Redis is away (docs/adr/0015) reads find nothing, stores are dropped, and purges are
 * remembered: they are made when Redis is back, and until then the store says it is not
 * reachable, so that no answer they make stale is served.
 */
export function createRedisStore(redis: RedisClient, keyPrefix: string, logger: Logger): ResponseStore {
  const prefix = `${keyPrefix}cache:`;
  const shards = Array.from({ length: SHARDS }, (_, shard) => `${prefix}{s${shard}}:`);
  const shardFor = (key: string) => shards[shardOf(key)]!;
  const entryKey = (key: string) => `${shardFor(key)}r:${key}`;
  const tagKeys = (shard: string, tags: readonly string[]) => [...tags.map((tag) => `${shard}tag:${tag}`), ...tags.map((tag) => `${shard}purged:${tag}`)];
  const availability = redisAvailability(redis);
  // Each step of a request (clock, get, claim, put, release) asks whether Redis is there first.
  const whileUp = whileRedisIsUp(redis);
  const missedPurges = new Set<string>();
  let retry: NodeJS.Timeout | undefined;

  // The clock orders purges against stores: a store computed before a purge's clock was taken
  // is refused in any shard that purge has stamped, and removed from any it has not reached yet.
  const purgeEverywhere = async (tags: readonly string[]) => {
    const clock = await redis.incr(`${prefix}clock`);
    await Promise.all(shards.map((shard) => redis.eval(PURGE, tags.length * 2, ...tagKeys(shard, tags), `${shard}r:`, clock, PURGE_MEMORY_MS)));
  };
  const purged = (tags: readonly string[]) => whileUp(() => purgeEverywhere(tags).then(() => true), false);
  const purgeMissed = async () => {
    const tags = [...missedPurges];
    if (tags.length === 0) return;
    if (await purged(tags)) for (const tag of tags) missedPurges.delete(tag);
    else retryWhileConnected();
  };
  const makeMissedPurges = () => void purgeMissed().catch((error: unknown) => logger.warn({ err: error }, 'response cache: purges missed while Redis was away failed'));
  // Redis that went away is tried again when it is back; a cluster that is down answers while connected.
  function retryWhileConnected() {
    if (retry || availability.state() === 'down') return;
    retry = setTimeout(() => {
      retry = undefined;
      makeMissedPurges();
    }, MISSED_PURGE_RETRY_MS).unref();
  }
  watchRedisAvailability(redis, (state) => {
    if (state === 'up') makeMissedPurges();
  });
  return {
    kind: 'redis',
    reachable: () => availability.state() === 'up' && missedPurges.size === 0,
    clock: () => whileUp(async () => Number((await redis.get(`${prefix}clock`)) ?? 0), Number.NaN),
    // One GET per key: on a cluster, the keys are in different slots.
    get: (keys) => whileUp(async () => (await Promise.all(keys.map((key) => redis.getBuffer(entryKey(key))))).map(decodeResponse), keys.map(() => null)),
    put: (key, response, tags, clock) => {
      const shard = shardFor(key);
      const keys = [entryKey(key), ...tagKeys(shard, tags)];
      return whileUp(async () => (await redis.eval(PUT, keys.length, ...keys, encodeResponse(response), response.maxAge * 1000, clock, key)) === 1, false);
    },
    async purge(tags) {
      if (tags.length === 0 || (await purged(tags))) return;
      for (const tag of tags) missedPurges.add(tag);
      retryWhileConnected();
    },
    // Without Redis no other instance can claim a key: this one computes.
    claim: (key, ttlMs) => whileUp(async () => (await redis.set(`${prefix}lock:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK', true),
    release: (key) => whileUp(async () => void (await redis.del(`${prefix}lock:${key}`)), undefined),
    // The event feeds wait for Redis: a checkpoint must not be lost or guessed.
    checkpoint: (feed) => redis.get(`${prefix}feed:${feed}`),
    saveCheckpoint: async (feed, seq) => {
      await redis.set(`${prefix}feed:${feed}`, seq);
    },
  };
}
