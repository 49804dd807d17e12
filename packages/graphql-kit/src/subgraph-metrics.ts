import type { MetricsEndpointConfig } from '@shop/config';
import type { Database } from '@shop/db';
import { createMetricsRegistry, Gauge, type Registry } from '@shop/metrics';

export interface SubgraphMetricsOptions {
  endpoint: MetricsEndpointConfig;
  /** Development: GET /metrics on the main port too. In production only the metrics port serves it. */
  alsoOnMainPort: boolean;
}

/** A subgraph's metrics: Node's process metrics and its database pool's use, read at each scrape. */
export function createSubgraphMetrics(database: Database): Registry {
  const registry = createMetricsRegistry();
  new Gauge({
    name: 'db_pool_connections',
    help: 'The PostgreSQL connection pool: connections open (total) and idle, and queries waiting for one (absent on PGlite)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const use = database.poolUse();
      if (!use) return;
      this.set({ state: 'total' }, use.total);
      this.set({ state: 'idle' }, use.idle);
      this.set({ state: 'waiting' }, use.waiting);
    },
  });
  return registry;
}
