import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { LRUCache } from 'lru-cache';
import { whileRedisIsUp, type RedisClient } from '@shop/redis';
import { upTo } from '../bounded-lru.js';

/** Entries kept in this process too: a query's text never changes under its hash. */
const LOCAL_ENTRIES = 10_000;

/**
 * Apollo's key-value cache interface over Redis, for automatic persisted queries: a query
 * one gateway instance registered can be run by id on every other. While Redis is away
 * (docs/adr/0015), a hash this instance has not seen is a miss (the client sends the query
 * again with it) and a registration is kept in this instance only.
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  private readonly local = new LRUCache<string, string>(upTo(LOCAL_ENTRIES));
  private readonly whileUp: ReturnType<typeof whileRedisIsUp>;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.whileUp = whileRedisIsUp(redis);
  }

  async get(key: string): Promise<string | undefined> {
    const local = this.local.get(key);
    if (local !== undefined) return local;
    const value = (await this.whileUp(() => this.redis.get(this.prefix + key), null)) ?? undefined;
    if (value !== undefined) this.local.set(key, value);
    return value;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    this.local.set(key, value);
    const ttl = options?.ttl;
    await this.whileUp(() => (ttl ? this.redis.set(this.prefix + key, value, 'EX', ttl) : this.redis.set(this.prefix + key, value)), null);
  }

  async delete(key: string): Promise<boolean> {
    this.local.delete(key);
    return (await this.whileUp(() => this.redis.del(this.prefix + key), 0)) > 0;
  }
}
