import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConfig } from '@shop/config';
import { BROKER_CONTRACT_VERSION, encodeBrokerEvent, type OutboxPublisher } from '@shop/contracts';
import { readBrokerCheckpoint, readEventsToRelay, saveBrokerCheckpoint, startSerialJob, type RawSqlClient, type WakeableJob } from '@shop/db';
import type { Logger } from '@shop/logging';
import { brokerConnection } from './broker.js';
import type { RelayObserver } from './relay-metrics.js';

const BATCH = 100;
/** While NATS is away, how often the relay tries again. */
const RETRY_AFTER_MS = 1_000;

export interface BrokerRelayOptions {
  /** The subgraph's database, whose outbox the relay reads and whose checkpoint it keeps. */
  client: RawSqlClient;
  source: OutboxPublisher;
  nats: NatsConfig;
  logger: Logger;
  intervalMs?: number;
  /** Counts what it publishes and its failed runs (brokerRelayMetrics). */
  observe?: RelayObserver;
}

/**
 * Publishes a subgraph's published outbox events to the JetStream stream, in their feed's
 * order (commit order), each with its event id as `Nats-Msg-Id`, and moves the stream's
 * checkpoint past an event only once the stream acknowledged it (docs/adr/0028). One publish
 * is in flight at a time: an event is sent only after the one before it is in the stream, so
 * a failure cannot let a later event in ahead of it. After a crash the relay publishes again
 * from its checkpoint, and the stream drops what it already holds.
 */
export function startBrokerRelay({ client, source, nats, logger, intervalMs = 200, observe }: BrokerRelayOptions): WakeableJob {
  const connection = brokerConnection(nats, `${source} outbox relay`);
  const { stream } = connection.names;
  /** The checkpoint as last read or saved; read again after a failure. */
  let checkpoint: string | null = null;
  let away = false;
  let retryAt = 0;
  // A backlog (after an outage) can take a while: stopping ends the run after the publish in flight.
  let stopping = false;

  const relayBatch = async (js: JetStreamClient): Promise<number> => {
    const after = (checkpoint ??= await readBrokerCheckpoint(client, stream));
    const events = await readEventsToRelay(client, after, BATCH);
    let acknowledged = after;
    try {
      for (const event of events) {
        if (stopping) break;
        const message = encodeBrokerEvent(connection.names, {
          version: BROKER_CONTRACT_VERSION,
          id: event.eventId,
          source,
          seq: event.seq,
          aggregateId: event.aggregateId,
          createdAt: event.createdAt,
          change: { topic: event.topic, payload: event.payload },
        });
        if (message.ok) {
          const ack = await js.publish(message.value.subject, message.value.data, {
            msgID: message.value.messageId,
            timeout: nats.publishTimeoutMs,
            expect: { streamName: stream },
          });
          observe?.event(event.topic, ack.duplicate ? 'duplicate' : 'published');
        } else {
          // Holding the feed behind it would stop every consumer for an event none can read.
          logger.error({ stream, seq: event.seq, eventId: event.eventId, topic: event.topic, problem: message.message }, 'outbox event breaks the broker contract: not published');
          observe?.event(event.topic, 'refused');
        }
        acknowledged = event.seq;
      }
    } finally {
      if (acknowledged !== after) {
        await saveBrokerCheckpoint(client, stream, acknowledged);
        checkpoint = acknowledged;
      }
    }
    return events.length;
  };

  const job = startSerialJob({
    name: 'broker relay',
    intervalMs,
    logger,
    run: async () => {
      if (Date.now() < retryAt) return;
      try {
        const { client: js } = await connection.ready();
        while ((await relayBatch(js)) === BATCH && !stopping);
        if (away) {
          away = false;
          logger.info({ stream }, 'relaying outbox events to NATS again');
        }
      } catch (error) {
        observe?.failed();
        checkpoint = null;
        connection.recheckStream();
        retryAt = Date.now() + RETRY_AFTER_MS;
        if (!away) {
          away = true;
          logger.warn(
            { err: error, servers: nats.servers, stream },
            `cannot relay outbox events to NATS: they wait in the outbox; retrying every ${RETRY_AFTER_MS / 1000} s`,
          );
        }
      }
    },
  });
  return {
    runSoon: job.runSoon,
    stop: async () => {
      stopping = true;
      await job.stop();
      await connection.close();
    },
  };
}
