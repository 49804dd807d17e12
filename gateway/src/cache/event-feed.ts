import { setTimeout as delay } from 'node:timers/promises';
import { anonymousViewer, GATEWAY_TOKEN_HEADER, postRequest, signGatewayToken } from '@shop/auth';
import type { KeyRing, SubgraphName } from '@shop/config';
import type { PublishedEvent } from '@shop/db';
import { EVENTS_PATH } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import { tagsInvalidatedByAll } from './invalidation.js';
import type { ResponseStore } from './store.js';

const PAGE = 500;

export interface EventFeedOptions {
  /** Subgraph name → its GraphQL URL; the feed is served beside it. */
  feeds: Partial<Record<SubgraphName, string>>;
  store: ResponseStore;
  gatewayKeys: KeyRing;
  /** Pause between reads once a feed is drained. */
  idleMs: number;
  logger: Logger;
}

export interface EventFeedConsumer {
  stop(): Promise<void>;
}

/**
 * Purges what subgraph events make stale, for changes that did not come through this
 * gateway's own mutations (the order saga, expiry sweeps, another gateway). It reads each
 * feed on from a checkpoint kept in the store: a gateway that was down catches up, and
 * nothing is lost.
 */
export function startEventFeedConsumer(options: EventFeedOptions): EventFeedConsumer {
  const { store, logger } = options;
  const stopping = new AbortController();
  const sleep = (ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  const reads = new Set<AbortController>();

  async function readPage(feed: SubgraphName, url: string, after: string): Promise<PublishedEvent[]> {
    // One controller per read, aborted by a timeout or by stop (composing signals leaks listeners on Node 20).
    const read = new AbortController();
    const timeout = setTimeout(() => read.abort(), 5_000);
    reads.add(read);
    try {
      return await fetchPage(feed, url, after, read.signal);
    } finally {
      clearTimeout(timeout);
      reads.delete(read);
    }
  }

  async function fetchPage(feed: SubgraphName, url: string, after: string, signal: AbortSignal): Promise<PublishedEvent[]> {
    const feedUrl = new URL(EVENTS_PATH, url);
    const body = JSON.stringify({ after, limit: PAGE });
    const response = await fetch(feedUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_TOKEN_HEADER]: await signGatewayToken(options.gatewayKeys, { viewer: anonymousViewer, clientIp: null }, { audience: feed, request: postRequest(feedUrl, body) }),
      },
      body,
      signal,
    });
    if (!response.ok) throw new Error(`${feed} event feed answered ${response.status}`);
    return ((await response.json()) as { events: PublishedEvent[] }).events;
  }

  async function follow(feed: SubgraphName, url: string) {
    while (!stopping.signal.aborted) {
      try {
        const after = (await store.checkpoint(feed)) ?? '0';
        const events = await readPage(feed, url, after);
        if (events.length > 0) {
          await store.purge(tagsInvalidatedByAll(events.map((event) => ({ topic: event.topic, payload: event.payload as Record<string, unknown> }))));
          await store.saveCheckpoint(feed, events.at(-1)!.seq);
        }
        if (events.length < PAGE) await sleep(options.idleMs);
      } catch (error) {
        if (stopping.signal.aborted) return;
        // The subgraph is down or restarting: its events wait in its outbox until it is back.
        logger.debug({ err: error, feed }, 'event feed unavailable');
        await sleep(Math.max(options.idleMs, 1_000));
      }
    }
  }

  const loops = (Object.entries(options.feeds) as Array<[SubgraphName, string]>).map(([feed, url]) => follow(feed, url));
  return {
    async stop() {
      stopping.abort();
      for (const read of reads) read.abort();
      await Promise.all(loops);
    },
  };
}
