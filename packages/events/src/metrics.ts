import { Counter, Gauge, type Registry } from '@shop/metrics';

/** What a consumer reports as it reads: the gauges and counter of `consumerMetrics`. */
export interface ConsumerObserver {
  /** After each read of a feed (a batch, or a quiet stream's pull or heartbeat): how old its last event was when more wait behind it, 0 once caught up. */
  read(feed: string, lagSeconds: number): void;
  /** Events handed to the handler and handled (the checkpoint moved past them). */
  applied(feed: string, count: number): void;
}

/**
 * An event consumer's metrics, named after the consumer (`<prefix>_event_feed_lag_seconds`,
 * ...), labelled by `feed`: a publisher's HTTP feed, or `broker`. The gateway's cache and the
 * notifications worker each make theirs (docs/adr/0030, 0034).
 */
export function consumerMetrics(registry: Registry, prefix: string): ConsumerObserver {
  const lag = new Gauge({
    name: `${prefix}_event_feed_lag_seconds`,
    help: 'Age of the newest event applied at the last read of a feed (a subgraph, or broker) while more were waiting; 0 once caught up',
    labelNames: ['feed'],
    registers: [registry],
  });
  const lastRead = new Gauge({
    name: `${prefix}_event_feed_last_read_timestamp_seconds`,
    help: 'When a feed (a subgraph, or broker) was last read successfully (a stalled reader stops moving it)',
    labelNames: ['feed'],
    registers: [registry],
  });
  const applied = new Counter({
    name: `${prefix}_events_applied_total`,
    help: 'Events read from a feed (a subgraph, or broker) and handled: the checkpoint moved past them',
    labelNames: ['feed'],
    registers: [registry],
  });
  return {
    read(feed, lagSeconds) {
      lag.labels(feed).set(lagSeconds);
      lastRead.labels(feed).set(Date.now() / 1000);
    },
    applied(feed, count) {
      applied.labels(feed).inc(count);
    },
  };
}
