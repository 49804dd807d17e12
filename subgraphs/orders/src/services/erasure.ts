import type { KeyRing, NatsConfig } from '@shop/config';
import { EventTopic } from '@shop/contracts';
import { databaseCheckpoints, startEventConsumer, type ConsumedEvent, type EventConsumer } from '@shop/events';
import type { Logger } from '@shop/logging';
import type { OrdersPrisma } from '../data/client.js';
import { eraseBuyer } from '../data/erasure.js';

/** Without NATS, how often a drained users feed is read again: how soon a deleted account's orders lose its address. */
export const DEFAULT_USER_EVENT_POLL_MS = 500;

/** Erases the buyer of each deleted account, in order; each erasure is idempotent, so an event read again does nothing. */
async function eraseDeletedBuyers(prisma: OrdersPrisma, events: readonly ConsumedEvent[], logger: Logger): Promise<void> {
  for (const { id, change } of events) {
    if (change.topic !== EventTopic.USER_DELETED) continue;
    const anonymised = await eraseBuyer(prisma, change.payload.userId, new Date());
    logger.info({ eventId: id, userId: change.payload.userId, orders: anonymised.length }, "a deleted account's orders keep no personal data");
  }
}

export interface BuyerErasureOptions {
  prisma: OrdersPrisma;
  /** The stream to read users' events from; null: the users subgraph's HTTP feed. */
  nats: NatsConfig | null;
  usersUrl: string;
  gatewayKeys: KeyRing;
  pollMs: number;
  logger: Logger;
}

/**
 * Learns of deleted accounts from users' `user.deleted` events (docs/adr/0035), never from its
 * database: from the stream with NATS, else from the users feed, from a checkpoint in this
 * subgraph's database, so a restart misses none.
 */
export function startBuyerErasure({ prisma, nats, usersUrl, gatewayKeys, pollMs, logger }: BuyerErasureOptions): EventConsumer {
  return startEventConsumer({
    name: 'orders buyer erasure',
    topics: [EventTopic.USER_DELETED],
    nats,
    feeds: { users: usersUrl },
    gatewayKeys,
    checkpoints: databaseCheckpoints(prisma),
    // Every deletion counts, those made before this subgraph first read the stream too.
    fromFirstEvent: true,
    handle: (events) => eraseDeletedBuyers(prisma, events, logger),
    idleMs: pollMs,
    logger,
  });
}
