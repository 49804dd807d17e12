import type { DatabaseConfig, KeyRing, NatsConfig, SubgraphLimits } from '@shop/config';
import { serveSubgraph, type SubgraphMetricsOptions } from '@shop/graphql-kit/subgraph';
import type { Logger } from '@shop/logging';
import type { Context } from './context.js';
import { catalogClient } from './data/catalog-client.js';
import { createPrisma, migrationsDir, type OrdersPrisma } from './data/client.js';
import { createLoaders, createSharedReads, type OrdersSharedReads } from './data/loaders.js';
import { usersClient } from './data/users-client.js';
import { resolvers } from './resolvers/index.js';
import { DEFAULT_USER_EVENT_POLL_MS, startBuyerErasure } from './services/erasure.js';
import { createPlacement, type Placement, type PlacementHooks } from './services/placement.js';
import { defaultRecovery, startOrderRecovery, type RecoveryOptions } from './services/recovery.js';

export type { OrdersPrisma } from './data/client.js';
export type { PlacementHooks } from './services/placement.js';
export type { RecoveryOptions } from './services/recovery.js';

export interface OrdersOptions {
  database: DatabaseConfig;
  migrate: boolean;
  gatewayKeys: KeyRing;
  /** The catalog subgraph's GraphQL URL; its stock API lives beside it. */
  catalogUrl: string;
  /** The users subgraph's GraphQL URL; its address lookup lives beside it. */
  usersUrl: string;
  recovery?: Partial<RecoveryOptions>;
  /** Probes between the steps of placing an order (tests only). */
  hooks?: PlacementHooks;
  limits: SubgraphLimits;
  /**
   * NATS JetStream to relay the outbox to as well (docs/adr/0028), and to read users' deletions
   * from (docs/adr/0035); none: the HTTP event feeds only.
   */
  broker?: NatsConfig | null;
  /** Without NATS, how often the drained users feed is read again. */
  userEventPollMs?: number;
  host: string;
  port: number;
  /** Where Prometheus scrapes it; none in tests that run it in process. */
  metrics?: SubgraphMetricsOptions;
  logger: Logger;
  /** One access line per request, at info (on unless false). */
  accessLog?: boolean;
}

/** What the process builds once and every request uses. */
interface OrdersServices {
  placement: Placement;
  shared: OrdersSharedReads;
}

export function startOrders(options: OrdersOptions) {
  const { logger, hooks } = options;
  const catalog = catalogClient(options.catalogUrl, options.gatewayKeys);
  const users = usersClient(options.usersUrl, options.gatewayKeys);
  return serveSubgraph<OrdersPrisma, Context, OrdersServices>({
    ...options,
    name: 'orders',
    migrationsDir,
    createPrisma,
    // One saga per process, shared by requests and the recovery job; reads shared by the requests in flight.
    createServices: (prisma) => ({ placement: createPlacement({ prisma, catalog, users, logger, hooks }), shared: createSharedReads(prisma, catalog) }),
    createContext: (prisma, { viewer }, { placement, shared }) => ({ viewer, prisma, loaders: createLoaders(prisma, shared), placement }),
    backgroundJobs: (prisma, { placement }) => [
      startOrderRecovery({ prisma, placement, logger }, { ...defaultRecovery, ...options.recovery }),
      startBuyerErasure({
        prisma,
        nats: options.broker ?? null,
        usersUrl: options.usersUrl,
        gatewayKeys: options.gatewayKeys,
        pollMs: options.userEventPollMs ?? DEFAULT_USER_EVENT_POLL_MS,
        logger,
      }),
    ],
    outbox: true,
    schemaUrl: new URL('./schema.graphql', import.meta.url),
    resolvers,
  });
}
export { createPrisma, migrationsDir } from './data/client.js';
