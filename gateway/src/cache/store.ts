import { LRUCache } from 'lru-cache';
import { upTo } from '../bounded-lru.js';

export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CachedResponse {
  /** The response body exactly as first sent. */
  body: Buffer;
  scope: CacheScope;
  /** Seconds the response may be served for, from `storedAt`. */
  maxAge: number;
  storedAt: number;
}

/**
 * Where cached responses live, with the entity tags each one holds. Shared by every gateway
 * instance when it is Redis, so a purge by one is seen by all.
 */
export interface ResponseStore {
  readonly kind: 'redis' | 'memory';
  /** False while the store cannot be trusted to answer (Redis away, or purges it missed not yet made): requests bypass it. */
  reachable(): boolean;
  /** The purge clock: read it before computing a response and hand it to `put`. */
  clock(): Promise<number>;
  get(keys: readonly string[]): Promise<Array<CachedResponse | null>>;
  /**
   * Stores a response under its key and tags, unless one of its tags was purged after
   * `clock` was read: what was computed may predate that change, and is dropped.
   */
  put(key: string, response: CachedResponse, tags: readonly string[], clock: number): Promise<boolean>;
  /** Removes every response holding one of the tags. */
  purge(tags: readonly string[]): Promise<void>;
  /** True for the one caller that gets to compute `key` while others wait (stampede protection). */
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Where an event-feed consumer left off, per feed. */
  checkpoint(feed: string): Promise<string | null>;
  saveCheckpoint(feed: string, seq: string): Promise<void>;
}

/** How long a purge is remembered against responses still being computed. */
export const PURGE_MEMORY_MS = 10 * 60_000;

/** A store in this process (no REDIS_URL): the same rules, for one gateway instance. */
export function createMemoryStore(maxBytes: number): ResponseStore {
  const responses = new LRUCache<string, CachedResponse>({
    maxSize: maxBytes,
    sizeCalculation: (response) => response.body.length + 64,
    ttlAutopurge: false,
  });
  const keysByTag = new Map<string, Set<string>>();
  const purgedAt = new LRUCache<string, number>({ ...upTo(100_000), ttl: PURGE_MEMORY_MS });
  const checkpoints = new Map<string, string>();
  let clock = 0;
  return {
    kind: 'memory',
    reachable: () => true,
    clock: async () => clock,
    get: async (keys) => keys.map((key) => responses.get(key) ?? null),
    async put(key, response, tags, readAt) {
      if (tags.some((tag) => (purgedAt.get(tag) ?? -1) > readAt)) return false;
      responses.set(key, response, { ttl: response.maxAge * 1000 });
      for (const tag of tags) {
        let keys = keysByTag.get(tag);
        if (!keys) keysByTag.set(tag, (keys = new Set()));
        keys.add(key);
      }
      return true;
    },
    async purge(tags) {
      clock += 1;
      for (const tag of tags) {
        purgedAt.set(tag, clock);
        for (const key of keysByTag.get(tag) ?? []) responses.delete(key);
        keysByTag.delete(tag);
      }
    },
    // One process: its own single-flight already makes one caller compute.
    claim: async () => true,
    release: async () => undefined,
    checkpoint: async (feed) => checkpoints.get(feed) ?? null,
    saveCheckpoint: async (feed, seq) => {
      checkpoints.set(feed, seq);
    },
  };
}

const SEPARATOR = 0x7c; // '|'

/** `storedAt|maxAge|scope|body`, the body's bytes untouched so a hit sends them as they are. */
export const encodeResponse = (response: CachedResponse) =>
  Buffer.concat([Buffer.from(`${response.storedAt}|${response.maxAge}|${response.scope}|`), response.body]);

export function decodeResponse(value: Buffer | null): CachedResponse | null {
  if (value === null) return null;
  const afterStoredAt = value.indexOf(SEPARATOR);
  const afterMaxAge = value.indexOf(SEPARATOR, afterStoredAt + 1);
  const afterScope = value.indexOf(SEPARATOR, afterMaxAge + 1);
  if (afterStoredAt < 0 || afterMaxAge < 0 || afterScope < 0) return null;
  return {
    storedAt: Number(value.toString('latin1', 0, afterStoredAt)),
    maxAge: Number(value.toString('latin1', afterStoredAt + 1, afterMaxAge)),
    scope: value.toString('latin1', afterMaxAge + 1, afterScope) as CacheScope,
    body: value.subarray(afterScope + 1),
  };
}
