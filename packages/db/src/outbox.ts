import { noteChange } from './request-scope.js';
import type { Logger } from '@shop/logging';
import { startSerialJob, type SerialJob } from './serial-job.js';

/** What other services learn about, by topic; payloads carry ids, never whole records. */
export const EventTopic = {
  /** A product's name, price, category or visibility changed (or it was created or deleted). */
  PRODUCT_CHANGED: 'product.changed',
  /** A product's stock level changed: `{ productId, stockQuantity }`. */
  STOCK_CHANGED: 'stock.changed',
  CATEGORY_CHANGED: 'category.changed',
  ORDER_PLACED: 'order.placed',
  ORDER_CANCELLED: 'order.cancelled',
  ORDER_STATUS_CHANGED: 'order.status_changed',
  /** A shopper's cart changed: `{ userId }`. Request-scoped only, never written to the outbox. */
  CART_CHANGED: 'cart.changed',
  /** An account's profile, role or status changed: `{ userId }`. Request-scoped only. */
  USER_CHANGED: 'user.changed',
} as const;

export type EventTopic = (typeof EventTopic)[keyof typeof EventTopic];

export interface PublishedEvent {
  /** Position in the subgraph's feed, as a decimal string (a bigint). */
  seq: string;
  topic: string;
  aggregateId: string;
  payload: unknown;
  createdAt: string;
}

/** The part of a Prisma client the relay needs; every subgraph's outbox_events has one shape. */
export interface RawSqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

const RELAY_LOCK = 72_707_370;
const BATCH = 500;
const RETENTION_DAYS = 7;

/**
 * Publishes committed events in the order they became visible: under a lock, the relay
 * numbers the unpublished ones after the highest number given so far. A transaction that
 * commits late gets a later number, so a consumer reading "after my last number" never
 * skips it.
 */
export async function publishPendingEvents(client: RawSqlClient): Promise<number> {
  const [row] = await client.$queryRawUnsafe<Array<{ published: number }>>(
    `WITH lock AS (SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS held),
          base AS (SELECT coalesce(max(published_seq), 0) AS seq FROM outbox_events),
          pending AS (
            SELECT id, row_number() OVER (ORDER BY id) AS n FROM outbox_events
            WHERE published_seq IS NULL AND (SELECT held FROM lock) ORDER BY id LIMIT ${BATCH}
          ),
          published AS (
            UPDATE outbox_events o SET published_seq = base.seq + pending.n, published_at = now()
            FROM pending, base WHERE o.id = pending.id RETURNING 1
          )
     SELECT count(*)::int AS published FROM published`,
  );
  return row?.published ?? 0;
}

/** The feed consumers read: published events after `afterSeq`, in order. */
export async function readPublishedEvents(client: RawSqlClient, afterSeq: string, limit: number): Promise<PublishedEvent[]> {
  return client.$queryRawUnsafe<PublishedEvent[]>(
    `SELECT published_seq::text AS seq, topic, aggregate_id AS "aggregateId", payload, created_at AS "createdAt"
     FROM outbox_events WHERE published_seq > $1::bigint ORDER BY published_seq LIMIT $2`,
    afterSeq,
    Math.min(Math.max(limit, 1), 1000),
  );
}

/** Runs the relay in the background, and prunes events consumers had a week to read. */
export function startOutboxRelay(client: RawSqlClient, logger: Logger, intervalMs = 200): SerialJob {
  let runs = 0;
  return startSerialJob({
    name: 'outbox relay',
    intervalMs,
    logger,
    run: async () => {
      while ((await publishPendingEvents(client)) === BATCH);
      if (++runs % 3000 === 0) {
        await client.$executeRawUnsafe(`DELETE FROM outbox_events WHERE published_at < now() - interval '${RETENTION_DAYS} days'`);
      }
    },
  });
}

/** The part of a transaction client that writes outbox rows; every subgraph's has this shape. */
export interface OutboxWriter<Payload> {
  outboxEvent: { create(args: { data: { topic: string; aggregateId: string; payload: Payload } }): PromiseLike<unknown> };
}

/**
 * Writes an event in the transaction of the change it describes (docs/adr/0006) and notes
 * it for the current request, whose response tells the gateway right away.
 */
export async function writeEvent<Payload>(
  tx: OutboxWriter<Payload>,
  topic: EventTopic,
  aggregateId: string,
  payload: NoInfer<Payload> & Record<string, unknown>,
): Promise<void> {
  await tx.outboxEvent.create({ data: { topic, aggregateId, payload } });
  noteChange({ topic, payload });
}
