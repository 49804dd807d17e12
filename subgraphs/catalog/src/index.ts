import type { DatabaseConfig, KeyRing, NatsConfig, SubgraphLimits } from '@shop/config';
import { StockApi } from '@shop/contracts';
import { internalRoute, serveSubgraph, type SubgraphMetricsOptions } from '@shop/graphql-kit/subgraph';
import type { Logger } from '@shop/logging';
import type { Context } from './context.js';
import { createPrisma, migrationsDir, type CatalogPrisma } from './data/client.js';
import { createLoaders, createSharedReads, type CatalogSharedReads } from './data/loaders.js';
import { resolvers } from './resolvers/index.js';
import { seedCatalog } from './seed.js';
import { startReservationSweeper, stockService } from './services/stock.js';
import { SYNC_SETTLE_MS } from './services/sync.js';

export type { CatalogPrisma } from './data/client.js';

export interface CatalogOptions {
  database: DatabaseConfig;
  migrate: boolean;
  gatewayKeys: KeyRing;
  seedDemoData: boolean;
  /** How often expired stock reservations are put back on sale. */
  sweepIntervalMs?: number;
  /** How long reserved stock waits for its order to confirm (tests shorten it). */
  reservationTtlMs?: number;
  /** How old a change must be before partners' sync returns it (tests shorten it). */
  syncSettleMs?: number;
  limits: SubgraphLimits;
  /** NATS JetStream to relay the outbox to as well (docs/adr/0028); none: the HTTP event feed only. */
  broker?: NatsConfig | null;
  host: string;
  port: number;
  /** Where Prometheus scrapes it; none in tests that run it in process. */
  metrics?: SubgraphMetricsOptions;
  logger: Logger;
  /** One access line per request, at info (on unless false). */
  accessLog?: boolean;
}

export function startCatalog(options: CatalogOptions) {
  return serveSubgraph<CatalogPrisma, Context, CatalogSharedReads>({
    ...options,
    name: 'catalog',
    migrationsDir,
    createPrisma,
    createServices: createSharedReads,
    createContext: (prisma, { viewer }, shared) => ({ viewer, prisma, loaders: createLoaders(prisma, shared), syncSettleMs: options.syncSettleMs ?? SYNC_SETTLE_MS }),
    prepare: async (prisma) => {
      if (options.seedDemoData) await seedCatalog(prisma, options.logger);
    },
    backgroundJobs: (prisma) => [startReservationSweeper(prisma, options.logger, options.sweepIntervalMs)],
    outbox: true,
    internalRoutes: (prisma, shared) => {
      const stock = stockService(prisma, shared.products, options.reservationTtlMs);
      return [
        internalRoute(StockApi.reserve, stock.reserve),
        internalRoute(StockApi.commit, stock.commit),
        internalRoute(StockApi.release, stock.release),
        internalRoute(StockApi.lookup, stock.lookup),
      ];
    },
    schemaUrl: new URL('./schema.graphql', import.meta.url),
    resolvers,
  });
}
export { createPrisma, migrationsDir } from './data/client.js';
export { seedCatalog } from './seed.js';
