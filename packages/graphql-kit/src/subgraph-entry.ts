// What only a subgraph process loads: its GraphQL server over its database, its internal
// routes, its outbox relays. Apart from the shared kit (@shop/graphql-kit), so the gateway,
// which has no database, loads none of it (nor Prisma's adapters, nor PGlite).
export { buildSchemaFromSdl, startSubgraphServer, type SubgraphServerOptions } from './subgraph.js';
export {
  internalRoute,
  serveSubgraph,
  type BackgroundJob,
  type InternalRoute,
  type RunningSubgraph,
  type ServeSubgraphOptions,
  type SubgraphUsage,
} from './serve.js';
export type { SubgraphMetricsOptions } from './subgraph-metrics.js';
