import { internalClient } from '@shop/auth';
import type { DatabaseConfig, KeyRing, MetricsEndpointConfig, NatsConfig, NotificationsConfig } from '@shop/config';
import { EventTopic } from '@shop/contracts';
import { migrationNames, openDatabase } from '@shop/db';
import { databaseCheckpoints, startEventConsumer } from '@shop/events';
import type { Logger } from '@shop/logging';
import { startMetricsServer } from '@shop/metrics';
import { createPrisma, migrationsDir, type NotificationsPrisma } from './data/client.js';
import { startHealthServer } from './health.js';
import { createMailer, timedMailer } from './mailer.js';
import { createNotificationsMetrics } from './metrics.js';
import { notify } from './services/notify.js';

export { migrationsDir, type NotificationsPrisma } from './data/client.js';
export { sentNotifications } from './data/sent.js';

const CONTACT_TIMEOUT_MS = 5_000;

export interface NotificationsOptions extends NotificationsConfig {
  database: DatabaseConfig;
  migrate: boolean;
  /** The stream to read order and account events from; null: the orders and users subgraphs' HTTP feeds. */
  nats: NatsConfig | null;
  /** Where the users subgraph (shoppers' addresses, reset tokens, its feed) and the orders subgraph (its feed) answer. */
  usersUrl: string;
  ordersUrl: string;
  gatewayKeys: KeyRing;
  /** Where Prometheus scrapes it (docs/adr/0034); none when absent (in-process tests). */
  metrics?: MetricsEndpointConfig;
  logger: Logger;
}

export interface RunningNotifications {
  /** Where /live and /ready answer. */
  readonly url: string;
  /** Where its Prometheus metrics are served; null without `metrics`. */
  readonly metricsUrl: string | null;
  readonly prisma: NotificationsPrisma;
  stop(): Promise<void>;
}

/**
 * The notifications worker (docs/adr/0031): reads order and account events from where it left
 * off and emails the shopper an order's confirmation, shipping and cancellation, and a password
 * reset's token (docs/adr/0035), once per event.
 */
export async function startNotifications(options: NotificationsOptions): Promise<RunningNotifications> {
  const { logger } = options;
  const database = await openDatabase(options.database);
  if (options.migrate) await database.migrate(migrationsDir);
  const prisma = createPrisma(database);
  const metrics = createNotificationsMetrics();
  const mailer = timedMailer(createMailer(options), metrics.observeSend);
  const users = internalClient({ baseUrl: options.usersUrl, audience: 'users', keys: options.gatewayKeys, timeoutMs: CONTACT_TIMEOUT_MS });
  const consumer = startEventConsumer({
    name: 'notifications',
    topics: [EventTopic.ORDER_PLACED, EventTopic.ORDER_STATUS_CHANGED, EventTopic.ORDER_CANCELLED, EventTopic.PASSWORD_RESET_REQUESTED],
    nats: options.nats,
    feeds: { orders: options.ordersUrl, users: options.usersUrl },
    gatewayKeys: options.gatewayKeys,
    checkpoints: databaseCheckpoints(prisma),
    // The first start reads what the stream holds: orders placed while it was starting get their email.
    fromFirstEvent: true,
    handle: (events, stopping) => notify(events, stopping, { prisma, users, mailer, logger, metrics }),
    idleMs: options.pollMs,
    logger,
    observe: metrics.events,
  });
  const migrations = await migrationNames(migrationsDir);
  // Ready once its database answers and lacks none of the migrations this code expects (as a
  // subgraph). Its event source is reported, not required: events wait for it in the stream.
  const health = await startHealthServer({
    host: options.host,
    port: options.port,
    ready: async () => ({
      ready: (await database.pendingMigrations(migrations)).length === 0,
      checks: { events: { source: options.nats ? 'broker' : 'feeds', state: consumer.state() } },
    }),
  });
  const metricsServer = options.metrics ? await startMetricsServer(metrics.registry, options.metrics, logger) : null;
  logger.info({ url: health.url, database: database.description, mail: options.smtpUrl ? 'smtp' : options.outboxDir, events: options.nats ? 'broker' : 'orders and users feeds' }, 'notifications worker ready');
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    await consumer.stop();
    await health.stop();
    await metricsServer?.stop();
    mailer.close();
    await prisma.$disconnect();
    await database.close();
  };
  return { url: health.url, metricsUrl: metricsServer?.url ?? null, prisma, stop: () => (stopped ??= stop()) };
}
