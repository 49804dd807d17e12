import { afterEach, describe, expect, it } from '@jest/globals';
import { Cluster, Redis, ReplyError } from 'ioredis';
import { connectRedis, unlessRedisIsAway, type RedisClient } from '../src/index.js';

const timeouts = { commandTimeoutMs: 150, connectTimeoutMs: 500 };

describe('connectRedis', () => {
  let client: RedisClient | null = null;
  /** Nothing listens on port 1: the connections are made, fail and are closed at once. */
  const connect = (url: string) => {
    client = connectRedis({ ...timeouts, url });
    client.on('error', () => undefined);
    return client;
  };
  afterEach(() => {
    client?.disconnect();
    client = null;
  });

  it('connects one Redis for redis:// and rediss://, failing at once while it is away', () => {
    const redis = connect('redis://:secret@127.0.0.1:1/3');
    expect(redis).toBeInstanceOf(Redis);
    expect((redis as Redis).options).toMatchObject({ port: 1, db: 3, password: 'secret', enableOfflineQueue: false, commandTimeout: 150, maxRetriesPerRequest: 0 });
  });

  it('connects a Redis Cluster for redis+cluster://, each node failing at once while it is away', () => {
    const cluster = connect('redis+cluster://app:secret@127.0.0.1:1,127.0.0.1:2') as Cluster;
    expect(cluster).toBeInstanceOf(Cluster);
    expect(cluster.options).toMatchObject({
      enableOfflineQueue: false,
      // A command that meets a lost node or a cluster that is down fails, instead of waiting to be retried.
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      redisOptions: { username: 'app', password: 'secret', commandTimeout: 150, socketTimeout: 150, connectTimeout: 500, maxRetriesPerRequest: 0 },
    });
    // Lost nodes reconnect by themselves, backing off to a second.
    expect([1, 5, 50].map((attempt) => cluster.options.clusterNodeRetryStrategy!(attempt))).toEqual([100, 500, 1_000]);
  });
});

describe('unlessRedisIsAway', () => {
  const failing = (error: Error) => unlessRedisIsAway(() => Promise.reject(error), 'fallback');

  it('gives the fallback when Redis is away, or a cluster cannot serve the slot now', async () => {
    expect(await failing(new Error('Connection is closed.'))).toBe('fallback');
    expect(await failing(new ReplyError('CLUSTERDOWN The cluster is down'))).toBe('fallback');
    expect(await failing(new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot'))).toBe('fallback');
  });

  it('throws what Redis answered to a mistake of ours', async () => {
    await expect(failing(new ReplyError('CROSSSLOT Keys in request don’t hash to the same slot'))).rejects.toThrow(/CROSSSLOT/);
    await expect(failing(new ReplyError('ERR unknown command'))).rejects.toThrow(/unknown command/);
  });
});
