import type { KeyRing, SubgraphName } from '@shop/config';
import { createTestDatabases, type TestDatabases } from './databases.js';
import { keyRingVariable } from './gateway-process.js';
import { testKeyRing } from './keys.js';
import { startServiceProcess, type ServiceName, type ServiceProcess } from './service-process.js';

export interface SupergraphProcesses {
  users: ServiceProcess;
  catalog: ServiceProcess;
  orders: ServiceProcess;
  gateway: ServiceProcess;
  gatewayKeys: KeyRing;
  databases: TestDatabases;
  /** The environment each service was started with, to start another instance (or the same again) with changes. */
  envOf(service: ServiceName): Record<string, string>;
  /** Starts one more service process, stopped with the others. */
  start(service: ServiceName, env: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export interface SupergraphProcessesOptions {
  /** Configuration every service gets, over the defaults here (production mode, migrations at start). */
  env?: Record<string, string>;
  /** Configuration for one service only. */
  envOf?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * Every service of the supergraph in a process of its own, as production runs them
 * (NODE_ENV=production, keys of their own), on fresh PostgreSQL databases they migrate at
 * start, on free ports. Real PostgreSQL only: a process cannot share an in-memory database.
 */
export async function startSupergraphProcesses(options: SupergraphProcessesOptions = {}): Promise<SupergraphProcesses> {
  const databases = await createTestDatabases('postgres');
  const gatewayKeys = testKeyRing();
  const common = {
    NODE_ENV: 'production',
    GATEWAY_TOKEN_KEYS: keyRingVariable(gatewayKeys),
    MIGRATE_ON_START: 'true',
    ...options.env,
  };
  const urlOf = (name: SubgraphName) => {
    const config = databases.configs[name];
    if (config.kind !== 'postgres') throw new Error('supergraph processes need PostgreSQL');
    return config.url;
  };
  const envs: Record<ServiceName, Record<string, string>> = {
    users: { ...common, USERS_PORT: '0', USERS_DATABASE_URL: urlOf('users'), ACCESS_TOKEN_KEYS: keyRingVariable(testKeyRing()), ...options.envOf?.users },
    catalog: { ...common, CATALOG_PORT: '0', CATALOG_DATABASE_URL: urlOf('catalog'), ...options.envOf?.catalog },
    orders: { ...common, ORDERS_PORT: '0', ORDERS_DATABASE_URL: urlOf('orders'), ...options.envOf?.orders },
    gateway: { ...common, PORT: '0', ...options.envOf?.gateway },
  };
  const started: ServiceProcess[] = [];
  const start = async (service: ServiceName, env: Record<string, string>) => {
    const running = await startServiceProcess({ service, env });
    started.push(running);
    return running;
  };
  const stop = async () => {
    await Promise.all(started.map((running) => running.stop()));
    await databases.drop();
  };
  try {
    const [users, catalog] = await Promise.all([start('users', envs.users), start('catalog', envs.catalog)]);
    Object.assign(envs.orders, { CATALOG_URL: catalog.url, USERS_URL: users.url });
    const orders = await start('orders', envs.orders);
    Object.assign(envs.gateway, { USERS_URL: users.url, CATALOG_URL: catalog.url, ORDERS_URL: orders.url });
    const gateway = await start('gateway', envs.gateway);
    return { users, catalog, orders, gateway, gatewayKeys, databases, envOf: (service) => ({ ...envs[service] }), start, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
