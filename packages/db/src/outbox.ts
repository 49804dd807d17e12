import type { Change, EventPayload, OutboxTopic, PublishedEvent } from '@shop/contracts';
import type { Logger } from '@shop/logging';
import { noteChange } from './request-scope.js';
import { startSerialJob, type WakeableJob } from './serial-job.js';

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
    `SELECT event_id::text AS id, published_seq::text AS seq, topic, aggregate_id AS "aggregateId", payload, created_at AS "createdAt"
     FROM outbox_events WHERE published_seq > $1::bigint ORDER BY published_seq LIMIT $2`,
    afterSeq,
    Math.min(Math.max(limit, 1), 1000),
  );
}

/** A published event as the broker relay sends it: with the id that names it everywhere. */
export interface EventToRelay {
  eventId: string;
  seq: string;
  topic: string;
  aggregateId: string;
  payload: unknown;
  /** ISO 8601, UTC. */
  createdAt: string;
}

/** Published events after `afterSeq`, in order, for the relay to the broker. */
export async function readEventsToRelay(client: RawSqlClient, afterSeq: string, limit: number): Promise<EventToRelay[]> {
  return client.$queryRawUnsafe<EventToRelay[]>(
    `SELECT event_id::text AS "eventId", published_seq::text AS seq, topic, aggregate_id AS "aggregateId", payload,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
     FROM outbox_events WHERE published_seq > $1::bigint ORDER BY published_seq LIMIT $2`,
    afterSeq,
    limit,
  );
}

/** The last sequence `stream` acknowledged; "0" before the first. */
export async function readBrokerCheckpoint(client: RawSqlClient, stream: string): Promise<string> {
  const [row] = await client.$queryRawUnsafe<Array<{ seq: string }>>(`SELECT last_seq::text AS seq FROM broker_checkpoints WHERE stream = $1`, stream);
  return row?.seq ?? '0';
}

/** The events numbered for the feed that `stream` has not acknowledged yet, and how old the oldest is (0 when none waits). */
export async function brokerBacklog(client: RawSqlClient, stream: string): Promise<{ events: number; oldestAgeSeconds: number }> {
  const [row] = await client.$queryRawUnsafe<Array<{ events: number; oldest_age_seconds: number | null }>>(
    `SELECT count(*)::int AS events, extract(epoch FROM now() - min(created_at))::float8 AS oldest_age_seconds
     FROM outbox_events WHERE published_seq > coalesce((SELECT last_seq FROM broker_checkpoints WHERE stream = $1), 0)`,
    stream,
  );
  return { events: row?.events ?? 0, oldestAgeSeconds: Math.max(0, row?.oldest_age_seconds ?? 0) };
}

/** Moves `stream`'s checkpoint forward, never back: two relays of one subgraph may save out of turn. */
export async function saveBrokerCheckpoint(client: RawSqlClient, stream: string, seq: string): Promise<void> {
  await client.$executeRawUnsafe(
    `INSERT INTO broker_checkpoints (stream, last_seq) VALUES ($1, $2::bigint)
     ON CONFLICT (stream) DO UPDATE SET last_seq = greatest(broker_checkpoints.last_seq, excluded.last_seq), updated_at = now()`,
    stream,
    seq,
  );
}

export interface OutboxRelayOptions {
  intervalMs?: number;
  /** The stream a broker relay publishes to: an event it has not acknowledged is never pruned. */
  brokerStream?: string;
  /** Told each time events were numbered: a relay to the broker publishes them at once, not at its next tick. */
  onPublished?: () => void;
}

/** Runs the relay in the background, and prunes events consumers had a week to read. */
export function startOutboxRelay(client: RawSqlClient, logger: Logger, { intervalMs = 200, brokerStream, onPublished }: OutboxRelayOptions = {}): WakeableJob {
  let runs = 0;
  const prune = brokerStream
    ? () =>
        client.$executeRawUnsafe(
          `DELETE FROM outbox_events WHERE published_at < now() - interval '${RETENTION_DAYS} days'
           AND published_seq <= (SELECT last_seq FROM broker_checkpoints WHERE stream = $1)`,
          brokerStream,
        )
    : () => client.$executeRawUnsafe(`DELETE FROM outbox_events WHERE published_at < now() - interval '${RETENTION_DAYS} days'`);
  return startSerialJob({
    name: 'outbox relay',
    intervalMs,
    logger,
    run: async () => {
      let published = 0;
      for (;;) {
        const numbered = await publishPendingEvents(client);
        published += numbered;
        if (numbered < BATCH) break;
      }
      if (published > 0) onPublished?.();
      if (++runs % 3000 === 0) await prune();
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
export async function writeEvent<Topic extends OutboxTopic, Json>(
  tx: OutboxWriter<Json>,
  topic: Topic,
  aggregateId: string,
  payload: EventPayload<Topic> & NoInfer<Json>,
): Promise<void> {
  await tx.outboxEvent.create({ data: { topic, aggregateId, payload } });
  // The signature ties the payload to its topic; TypeScript cannot follow that through a generic.
  noteChange({ topic, payload } as Change);
}
