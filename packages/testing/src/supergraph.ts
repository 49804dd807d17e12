import { startCatalog, type CatalogPrisma } from '@shop/catalog';
import { startGateway } from '@shop/gateway';
import type { RunningHttpServer, RunningSubgraph } from '@shop/graphql-kit';
import { createLogger } from '@shop/logging';
import { startOrders, type OrdersPrisma } from '@shop/orders';
import { startUsers, type UsersPrisma } from '@shop/users';
import { postGraphQL, type GraphQLRequest } from './client.js';
import { createTestDatabases, type Backend } from './databases.js';

export interface TestSupergraph {
  backend: Backend;
  gatewayUrl: string;
  users: RunningSubgraph<UsersPrisma>;
  catalog: RunningSubgraph<CatalogPrisma>;
  orders: RunningSubgraph<OrdersPrisma>;
  gateway: RunningHttpServer;
  /** Sends one operation through the gateway over HTTP. */
  request<Data = Record<string, unknown>>(request: GraphQLRequest): ReturnType<typeof postGraphQL<Data>>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * The real thing on free ports: three subgraphs on fresh, migrated databases and the
 * gateway in front, all over HTTP. Tests put their own data in through the builders.
 */
export async function startTestSupergraph(backend: Backend): Promise<TestSupergraph> {
  const databases = await createTestDatabases(backend);
  const logger = (name: string) => createLogger(`test-${name}`, 'error');
  const common = { migrate: true, host: HOST, port: 0 };
  const [users, catalog, orders] = await Promise.all([
    startUsers({ ...common, database: databases.configs.users, seed: null, logger: logger('users') }),
    startCatalog({ ...common, database: databases.configs.catalog, seedDemoData: false, logger: logger('catalog') }),
    startOrders({ ...common, database: databases.configs.orders, logger: logger('orders') }),
  ]);
  const gateway = await startGateway({
    host: HOST,
    port: 0,
    subgraphUrls: { users: users.url, catalog: catalog.url, orders: orders.url },
    logger: logger('gateway'),
  });
  return {
    backend,
    gatewayUrl: gateway.url,
    users,
    catalog,
    orders,
    gateway,
    request: (request) => postGraphQL(gateway.url, request),
    stop: async () => {
      await gateway.stop();
      await Promise.all([users.stop(), catalog.stop(), orders.stop()]);
      await databases.drop();
    },
  };
}
