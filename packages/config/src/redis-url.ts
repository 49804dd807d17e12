export interface RedisNode {
  host: string;
  port: number;
}

/** What REDIS_URL names: one Redis (ioredis reads the URL itself), or the seed nodes of a Redis Cluster. */
export type RedisEndpoint =
  | { kind: 'standalone'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username: string | null; password: string | null; tls: boolean };

const STANDALONE = /^rediss?:\/\//;
/** `redis+cluster://[user:password@]host:port,host:port[/]`, `rediss+cluster://` for TLS. */
const CLUSTER = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^@/?#]+)\/?$/;
const DEFAULT_PORT = 6379;

function nodeOf(text: string): RedisNode {
  let url: URL;
  try {
    url = new URL(`redis://${text}`);
  } catch {
    throw new Error(`"${text}" is not a host:port`);
  }
  if (url.username || url.password || url.pathname || !url.hostname) throw new Error(`"${text}" is not a host:port`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : DEFAULT_PORT };
}

function decoded(part: string | undefined): string | null {
  if (!part) return null;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error('its credentials are not percent-encoded correctly');
  }
}

/** Reads REDIS_URL, or throws an Error saying what is wrong with it (never echoing its password). */
export function parseRedisUrl(text: string): RedisEndpoint {
  const cluster = CLUSTER.exec(text);
  if (cluster) {
    const [, scheme, userinfo, hosts] = cluster as unknown as [string, string, string | undefined, string];
    const separator = userinfo?.indexOf(':') ?? -1;
    return {
      kind: 'cluster',
      nodes: hosts.split(',').map(nodeOf),
      username: decoded(separator < 0 ? userinfo : userinfo!.slice(0, separator)),
      password: decoded(separator < 0 ? undefined : userinfo!.slice(separator + 1)),
      tls: scheme === 'rediss',
    };
  }
  if (/^rediss?\+cluster:/.test(text)) throw new Error('must be redis+cluster://host:port,host:port (a cluster has no database number)');
  if (!STANDALONE.test(text) || !URL.canParse(text)) throw new Error('must be a redis:// or rediss:// URL, or redis+cluster://host:port,host:port for a Redis Cluster');
  return { kind: 'standalone', url: text };
}
