import type { SubgraphName } from '@shop/config';
import type { ConsumerState } from '@shop/events';
import type { Readiness } from '@shop/graphql-kit';
import { redisAvailability, type RedisClient } from '@shop/redis';
import type { CircuitStateName } from './subgraph-client.js';

/** How often each subgraph's /ready is asked, and how long an answer is waited for. */
const PROBE_INTERVAL_MS = 2_000;
const PROBE_TIMEOUT_MS = 1_000;

/** What a subgraph's own /ready said last: `unavailable` is a 503 (its database, say), `unreachable` no answer in time. */
export type SubgraphStatus = 'unknown' | 'ready' | 'unavailable' | 'unreachable';

export interface SubgraphProbe {
  statuses(): Record<SubgraphName, SubgraphStatus>;
  stop(): void;
}

const readyUrlOf = (graphqlUrl: string) => new URL('/ready', graphqlUrl).toString();

async function probe(url: string): Promise<SubgraphStatus> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok ? 'ready' : 'unavailable';
  } catch {
    return 'unreachable';
  }
}

/**
 * Asks every subgraph's /ready in the background, so that a readiness request reads the last
 * answers and never waits on a subgraph.
 */
export function startSubgraphProbe(subgraphUrls: Record<SubgraphName, string>): SubgraphProbe {
  const names = Object.keys(subgraphUrls) as SubgraphName[];
  const statuses = Object.fromEntries(names.map((name) => [name, 'unknown'])) as Record<SubgraphName, SubgraphStatus>;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const round = async () => {
    await Promise.all(names.map(async (name) => (statuses[name] = await probe(readyUrlOf(subgraphUrls[name])))));
    if (!stopped) timer = setTimeout(round, PROBE_INTERVAL_MS).unref();
  };
  void round();
  return {
    statuses: () => ({ ...statuses }),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type RedisReadiness = 'not configured' | 'ready' | 'unavailable';

/** Whether the gateway's Redis connection can take commands now (ioredis reconnects by itself). */
export const redisReadiness = (redis: RedisClient | null) => {
  const availability = redis && redisAvailability(redis);
  return (): RedisReadiness => (availability === null ? 'not configured' : availability.state() === 'up' ? 'ready' : 'unavailable');
};

export interface GatewayReadinessSources {
  /**
   * Each subgraph's state, for the details only (what its /ready said last, and the gateway's
   * circuit to it): one subgraph down must not take every gateway out of service.
   */
  subgraphs: () => Record<SubgraphName, { ready: SubgraphStatus; circuit: CircuitStateName }>;
  redis: () => RedisReadiness;
  /** Where the cache's reading of subgraph events stands; `off` without a response cache (nothing reads them). */
  events: () => EventsReadiness;
}

export type EventsReadiness = 'off' | { source: 'broker' | 'feeds'; state: ConsumerState };

/**
 * The gateway is ready once its schema is loaded (it listens only then). Its Redis, its event
 * source and the subgraphs are reported, never required: without Redis it serves all the same
 * (caching bypassed, limits counted in process: docs/adr/0015), without NATS too (older answers
 * recomputed: docs/adr/0034), and every gateway shares the same Redis, NATS and subgraphs, so
 * requiring them would take all gateways out of service at once.
 */
export function gatewayReadiness(sources: GatewayReadinessSources): () => Promise<Readiness> {
  return async () => ({ ready: true, checks: { schema: 'loaded', redis: sources.redis(), events: sources.events(), subgraphs: sources.subgraphs() } });
}
