import { setTimeout as delay } from 'node:timers/promises';
import type { OutboxPublisher } from '@shop/contracts';
import { brokerBacklog, type RawSqlClient } from '@shop/db';
import { Counter, Gauge, type Registry } from '@shop/metrics';

/** A scrape waits this long for the backlog query. */
const BACKLOG_TIMEOUT_MS = 1_000;

/** What the relay to the broker reports: `brokerRelayMetrics`. */
export interface RelayObserver {
  /**
   * An event the stream acknowledged (`published`), acknowledged as one it already held
   * (`duplicate`: sent again after a checkpoint was lost), or refused by the contract and skipped (`refused`).
   */
  event(topic: string, outcome: 'published' | 'duplicate' | 'refused'): void;
  /** A run that ended early: NATS away, or no acknowledgement in time. Its events wait in the outbox. */
  failed(): void;
}

/**
 * A subgraph's relay to the broker, in its registry, labelled by `source` (the publisher): events
 * by topic and outcome, failed runs, and, read at each scrape from the database, the events
 * waiting in the outbox for the stream's acknowledgement and the age of the oldest (docs/adr/0034).
 */
export function brokerRelayMetrics(registry: Registry, { client, source, stream }: { client: RawSqlClient; source: OutboxPublisher; stream: string }): RelayObserver {
  const events = new Counter({
    name: 'events_relay_events_total',
    help: 'Outbox events the relay to NATS handled, by topic and outcome: published (acknowledged by the stream), duplicate (the stream already held it) or refused (it breaks the contract, skipped)',
    labelNames: ['source', 'topic', 'outcome'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'events_relay_failures_total',
    help: 'Runs of the relay to NATS that failed (NATS away, no acknowledgement in time): their events wait in the outbox',
    labelNames: ['source'],
    registers: [registry],
  });
  let backlog: Promise<{ events: number; oldestAgeSeconds: number }> | null = null;
  // One query serves both gauges of a scrape. A database that is away or slow makes them NaN
  // (unknown) rather than failing, or holding, the whole scrape.
  const readBacklog = () =>
    (backlog ??= Promise.race([brokerBacklog(client, stream), delay(BACKLOG_TIMEOUT_MS, undefined, { ref: false }).then(() => Promise.reject(new Error('timeout')))])
      .catch(() => ({ events: Number.NaN, oldestAgeSeconds: Number.NaN }))
      .finally(() => {
        backlog = null;
      }));
  new Gauge({
    name: 'events_relay_backlog_events',
    help: 'Outbox events numbered for the feed but not yet acknowledged by the stream (read at each scrape)',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.labels(source).set((await readBacklog()).events);
    },
  });
  new Gauge({
    name: 'events_relay_oldest_waiting_seconds',
    help: 'Age of the oldest outbox event not yet acknowledged by the stream, 0 when none waits (read at each scrape)',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.labels(source).set((await readBacklog()).oldestAgeSeconds);
    },
  });
  return {
    event: (topic, outcome) => events.labels(source, topic, outcome).inc(),
    failed: () => failures.labels(source).inc(),
  };
}
