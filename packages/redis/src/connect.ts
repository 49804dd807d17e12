import { Cluster, Redis, ReplyError } from 'ioredis';
import { parseRedisUrl, type RedisConfig } from '@shop/config';
import type { Logger } from '@shop/logging';

export type RedisConnectionConfig = Pick<RedisConfig, 'commandTimeoutMs' | 'connectTimeoutMs'> & { url: string };

/**
 * One Redis, or a Redis Cluster (REDIS_URL=redis+cluster://...). Both take the same commands;
 * on a cluster every command, script or transaction must keep to one hash slot (docs/adr/0027).
 */
export type RedisClient = Redis | Cluster;

/** Reconnection attempts back off to this, so a Redis that is back is used again within about a second. */
const MAX_RECONNECT_DELAY_MS = 1_000;
/** How often a cluster's slot map is read again, so that a replica promoted in a failover is found without a MOVED. */
const SLOTS_REFRESH_INTERVAL_MS = 5_000;

const reconnectDelay = (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS);

/**
 * A connection for request paths, which fails at once while Redis is away instead of making
 * anyone wait (docs/adr/0015). ioredis's own state is the circuit breaker: a command that gets
 * no reply within the command timeout fails, and the socket that went silent is dropped
 * (`socketTimeout`), so a frozen Redis counts as away like a stopped one; while it is away,
 * commands are refused without being queued (`enableOfflineQueue: false`), and the commands on
 * a dropped connection fail rather than being sent again later (`maxRetriesPerRequest: 0`,
 * `autoResendUnfulfilledCommands: false`). It reconnects by itself, for ever, each attempt
 * bounded by the connect timeout and its ready check by the command timeout. Commands issued
 * in the same tick leave in one write: under load a socket write per command costs more than
 * the commands themselves.
 *
 * On a cluster the same holds per node (docs/adr/0027): a lost node's connection reconnects by
 * itself and refuses its slots' commands meanwhile, and ioredis does not wait and retry a
 * command that met a closed connection or a cluster that is down, so it fails at once.
 */
export function connectRedis(config: RedisConnectionConfig): RedisClient {
  const endpoint = parseRedisUrl(config.url);
  const perConnection = {
    commandTimeout: config.commandTimeoutMs,
    socketTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  };
  if (endpoint.kind === 'standalone') {
    return new Redis(endpoint.url, { ...perConnection, enableOfflineQueue: false, retryStrategy: reconnectDelay, enableAutoPipelining: true });
  }
  const cluster = new Cluster(endpoint.nodes, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    clusterRetryStrategy: reconnectDelay,
    clusterNodeRetryStrategy: reconnectDelay,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 0,
    slotsRefreshTimeout: config.connectTimeoutMs,
    slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
    redisOptions: {
      ...perConnection,
      ...(endpoint.username ? { username: endpoint.username } : {}),
      ...(endpoint.password ? { password: endpoint.password } : {}),
      ...(endpoint.tls ? { tls: {} } : {}),
    },
  });
  // ioredis connects to a node on its first command; a node connecting counts as away, so the
  // first requests would find the cluster away. Each node is connected as soon as it is known.
  cluster.on('+node', (node: Redis) => {
    if (node.status === 'wait') node.connect().catch(() => undefined);
  });
  return cluster;
}

/**
 * Resolves when the connection is ready (on a cluster, to every master), or after the connect
 * timeout: a service that starts beside a reachable Redis uses it from its first request, and
 * one whose Redis is away starts all the same, at most the connect timeout later. A failed
 * attempt does not end the wait: on a busy machine the first ready check can miss the command
 * timeout, and the next attempt, a tenth of a second later, succeeds.
 */
export async function firstConnection(redis: RedisClient, config: Pick<RedisConfig, 'connectTimeoutMs'>): Promise<void> {
  const signal = AbortSignal.timeout(config.connectTimeoutMs);
  // Not `events.once`, which gives up on the first 'error'.
  const ready = (client: RedisClient) =>
    new Promise<void>((resolve) => {
      if (client.status === 'ready' || signal.aborted) return resolve();
      const done = () => {
        client.off('ready', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      client.on('ready', done);
      signal.addEventListener('abort', done);
    });
  await ready(redis);
  // Not in time: the service starts without it, and uses it once it is there.
  if (redis instanceof Cluster && !signal.aborted) await Promise.all(redis.nodes('master').map(ready));
}

export interface RedisAvailability {
  /** Whether the connection can take commands right now ('down' while it reconnects). */
  state(): 'up' | 'down';
}

/** A connection not yet used ('wait') connects on its first command: it is not known to be away. */
const usable = (status: string) => status === 'ready' || status === 'wait';

/** A cluster is up while it is connected and so is every master it knows of: a lost master's slots are away. */
const isUp = (client: RedisClient) =>
  client instanceof Cluster ? client.status === 'ready' && client.nodes('master').every((node) => usable(node.status)) : client.status === 'ready';

export function redisAvailability(client: RedisClient): RedisAvailability {
  return { state: () => (isUp(client) ? 'up' : 'down') };
}

/**
 * Calls `onChange` each time the connection goes from up to down or back (first when it is
 * ready, or fails to connect), with the error that came with going down.
 */
export function watchRedisAvailability(client: RedisClient, onChange: (state: 'up' | 'down', error?: Error) => void): void {
  let reported: 'up' | 'down' | null = null;
  let lastError: Error | undefined;
  const check = () => {
    const state = isUp(client) ? 'up' : 'down';
    // Still connecting is not away: a cluster's nodes report in before the cluster is ready.
    if (state === reported || (state === 'down' && reported === null && !lastError)) return;
    reported = state;
    onChange(state, state === 'down' ? lastError : undefined);
  };
  const failed = (error: Error) => {
    lastError = error;
    check();
  };
  client.on('ready', check);
  client.on('reconnecting', check);
  client.on('error', failed);
  if (client instanceof Cluster) {
    client.on('node error', failed);
    client.on('-node', check);
    // A node's connection going and coming back changes the cluster's state without an event of the cluster's own.
    client.on('+node', (node: Redis) => {
      node.on('ready', check);
      node.on('reconnecting', check);
    });
  }
}

/**
 * Logs when Redis goes away (one warning) and when it is back (one info), whatever the
 * number of requests that met it meanwhile. Listening to 'error' also keeps ioredis from
 * printing every failed reconnection attempt.
 */
export function logRedisAvailability(client: RedisClient, logger: Logger): void {
  watchRedisAvailability(client, (state, error) => {
    if (state === 'down') logger.warn({ err: error }, 'Redis unreachable: going on without it until it is back');
    else logger.info('Redis reachable');
  });
}

/** Replies of a cluster that cannot serve a slot now (or of a Redis still loading): an outage, not a mistake. */
const UNAVAILABLE_REPLY = /^(CLUSTERDOWN|TRYAGAIN|MASTERDOWN|LOADING)\b/;

/**
 * Runs Redis commands, or gives `fallback` when Redis is away or does not answer in time. Any
 * other error Redis itself answered with is a mistake of ours, not an outage: it is thrown.
 */
export async function unlessRedisIsAway<T>(commands: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await commands();
  } catch (error) {
    if (error instanceof ReplyError && !UNAVAILABLE_REPLY.test((error as Error).message)) throw error;
    return fallback;
  }
}

/**
 * unlessRedisIsAway for one client, asking first whether it is there: on a cluster, a command
 * for a lost master's slots would otherwise wait the whole command timeout in that node's
 * offline queue (ioredis always queues on a cluster's nodes), and a request in flight when the
 * master went would wait once for each of its steps.
 */
export function whileRedisIsUp(client: RedisClient) {
  const availability = redisAvailability(client);
  return <T>(commands: () => Promise<T>, fallback: T): Promise<T> =>
    availability.state() === 'up' ? unlessRedisIsAway(commands, fallback) : Promise.resolve(fallback);
}
