import { describe, expect, it } from '@jest/globals';
import { loadConfig, parseRedisUrl, redisSchema } from '../src/index.js';

describe('REDIS_URL', () => {
  it('names one Redis as ioredis reads it', () => {
    expect(parseRedisUrl('redis://cache:6379/2')).toEqual({ kind: 'standalone', url: 'redis://cache:6379/2' });
    expect(parseRedisUrl('rediss://user:secret@cache.example')).toEqual({ kind: 'standalone', url: 'rediss://user:secret@cache.example' });
  });

  it('names a Redis Cluster by its nodes, with credentials and TLS for all of them', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'redis-3', port: 6379 },
      ],
      username: null,
      password: null,
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss%3Aword@[::1]:7000,node.example:7000/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '::1', port: 7000 },
        { host: 'node.example', port: 7000 },
      ],
      username: 'app',
      password: 'p@ss:word',
      tls: true,
    });
    expect(parseRedisUrl('redis+cluster://:only-a-password@h:1')).toMatchObject({ username: null, password: 'only-a-password' });
  });

  it.each([
    ['http://cache', /redis:\/\//],
    ['redis+cluster://h1:7000/2', /no database number/],
    ['redis+cluster://h1:7000,,h2:7000', /is not a host:port/],
    ['redis+cluster://h1:port', /is not a host:port/],
    ['redis+cluster://h1:99999', /is not a host:port/],
    ['redis+cluster://u:%zz@h1:7000', /percent-encoded/],
  ])('refuses %s, saying why', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });

  it('is checked when the configuration is read, without echoing a password', () => {
    expect(loadConfig({ redis: redisSchema }, { REDIS_URL: 'redis+cluster://a:7000,b:7001' }).redis.url).toBe('redis+cluster://a:7000,b:7001');
    expect(() => loadConfig({ redis: redisSchema }, { REDIS_URL: 'redis+cluster://u:hunter22@a:7000/1' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ redis: redisSchema }, { REDIS_URL: 'redis+cluster://u:hunter22@a:7000/1' })).not.toThrow(/hunter22/);
  });
});
