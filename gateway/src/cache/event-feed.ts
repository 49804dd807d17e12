import { setTimeout as delay } from 'node:timers/promises';
import { internalClient, type InternalClient } from '@shop/auth';
import type { KeyRing, SubgraphName } from '@shop/config';
import { eventFeed } from '@shop/contracts';
import type { Logger } from '@shop/logging';
import { tagsInvalidatedByAll } from './invalidation.js';
import type { ResponseStore } from './store.js';

const PAGE = 500;
const READ_TIMEOUT_MS = 5_000;

export interface EventFeedOptions {
  /** Subgraph name → its GraphQL URL; the feed is served beside it. */
  feeds: Partial<Record<SubgraphName, string>>;
  store: ResponseStore;
  gatewayKeys: KeyRing;
  /** Pause between reads once a feed is drained. */
  idleMs: number;
  logger: Logger;
  /** After each successful read: how old the last event applied was when more wait behind it, 0 once caught up. */
  observeRead?: (feed: SubgraphName, lagSeconds: number) => void;
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

  async function follow(feed: SubgraphName, call: InternalClient) {
    while (!stopping.signal.aborted) {
      try {
        const after = (await store.checkpoint(feed)) ?? '0';
        const { events } = await call(eventFeed, { after, limit: PAGE }, { signal: stopping.signal });
        if (events.length > 0) {
          await store.purge(tagsInvalidatedByAll(events.map(({ topic, payload }) => ({ topic, payload })), logger));
          await store.saveCheckpoint(feed, events.at(-1)!.seq);
        }
        const caughtUp = events.length < PAGE;
        options.observeRead?.(feed, caughtUp ? 0 : Math.max(0, (Date.now() - Date.parse(events.at(-1)!.createdAt)) / 1000));
        if (caughtUp) await sleep(options.idleMs);
      } catch (error) {
        if (stopping.signal.aborted) return;
        // The subgraph is down or restarting: its events wait in its outbox until it is back.
        logger.debug({ err: error, feed }, 'event feed unavailable');
        await sleep(Math.max(options.idleMs, 1_000));
      }
    }
  }

  const loops = (Object.entries(options.feeds) as Array<[SubgraphName, string]>).map(([feed, url]) =>
    follow(feed, internalClient({ baseUrl: url, audience: feed, keys: options.gatewayKeys, timeoutMs: READ_TIMEOUT_MS })),
  );
  return {
    async stop() {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}
