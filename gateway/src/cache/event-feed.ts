import type { KeyRing, NatsConfig } from '@shop/config';
import { outboxPublishers, type OutboxTopic } from '@shop/contracts';
import { startEventConsumer, type ConsumerObserver, type EventConsumer } from '@shop/events';
import type { Logger } from '@shop/logging';
import { tagsInvalidatedByAll } from './invalidation.js';
import type { ResponseStore } from './store.js';

export interface CacheEventsOptions {
  /** The stream to read (docs/adr/0030); null: each publisher's HTTP feed instead. */
  nats: NatsConfig | null;
  /** Catalog's and orders' GraphQL URLs: their HTTP feeds are served beside them. */
  feeds: Record<'catalog' | 'orders', string>;
  store: ResponseStore;
  gatewayKeys: KeyRing;
  /** Pause between reads once an HTTP feed is drained. */
  idleMs: number;
  logger: Logger;
  /** Told of each read (its lag) and of the events applied, by feed. */
  observe?: ConsumerObserver;
}

const allOutboxTopics: OutboxTopic[] = Object.values(outboxPublishers).flat();

/**
 * Purges what subgraph events make stale, for changes that did not come through this
 * gateway's own mutations (the order saga, expiry sweeps, another gateway). It reads from a
 * checkpoint kept in the store, beside the responses it describes: a gateway that was down
 * catches up, and nothing is lost.
 */
export function startCacheEvents(options: CacheEventsOptions): EventConsumer {
  const { store, logger } = options;
  return startEventConsumer({
    name: 'gateway cache',
    topics: allOutboxTopics,
    nats: options.nats,
    feeds: options.feeds,
    gatewayKeys: options.gatewayKeys,
    // The checkpoints wait for Redis (ResponseStore): one must not be lost or guessed.
    // A store in process starts empty: nothing in it predates the events already on the stream.
    fromFirstEvent: store.kind === 'redis',
    checkpoints: { read: (position) => store.checkpoint(position), save: (position, value) => store.saveCheckpoint(position, value) },
    handle: (events) => store.purge(tagsInvalidatedByAll(events.map(({ change }) => change), logger)),
    idleMs: options.idleMs,
    logger,
    observe: options.observe,
  });
}
