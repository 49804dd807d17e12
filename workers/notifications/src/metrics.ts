import { consumerMetrics, type ConsumerObserver } from '@shop/events';
import { Counter, createMetricsRegistry, Histogram, type Registry } from '@shop/metrics';
import type { EmailKind } from './services/emails.js';

/**
 * What became of an email an event called for: `sent` (handed to the mail server, or written as
 * an .eml file), `failed` (refused or unreachable: the event is read again), `no_recipient` (no
 * active account: nothing to send), `already_sent` (the event came again: nothing sent twice).
 */
export type EmailOutcome = 'sent' | 'failed' | 'no_recipient' | 'already_sent';

export interface NotificationsMetrics {
  readonly registry: Registry;
  /** Its reading of order events: `notifications_event_feed_*`, `notifications_events_applied_total`. */
  readonly events: ConsumerObserver;
  email(kind: EmailKind, outcome: EmailOutcome): void;
  /** One hand-over to the mail server (or one .eml file written), and whether it was taken. */
  observeSend(outcome: 'sent' | 'failed', seconds: number): void;
}

/** The worker's Prometheus metrics (docs/adr/0034), served on its metrics port. */
export function createNotificationsMetrics(): NotificationsMetrics {
  const registry = createMetricsRegistry();
  const emails = new Counter({
    name: 'notifications_emails_total',
    help: 'Emails order events called for, by kind (order_confirmation, order_shipped, order_cancelled) and outcome (sent, failed, no_recipient, already_sent)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const sendDuration = new Histogram({
    name: 'notifications_email_send_duration_seconds',
    help: 'Time to hand one email to the mail server (SMTP_URL), or to write its .eml file, by outcome (sent, failed)',
    labelNames: ['outcome'],
    buckets: [0.01, 0.05, 0.25, 1, 2.5, 10],
    registers: [registry],
  });
  return {
    registry,
    events: consumerMetrics(registry, 'notifications'),
    email: (kind, outcome) => emails.labels(kind, outcome).inc(),
    observeSend: (outcome, seconds) => sendDuration.labels(outcome).observe(seconds),
  };
}
