import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { GATEWAY_TOKEN_HEADER, isAdmin, verifyGatewayToken, type RequestIdentity, type Viewer } from '@shop/auth';
import type { DatabaseConfig, KeyRing, NatsConfig, SubgraphLimits, SubgraphName } from '@shop/config';
import { brokerNames, checked, eventFeed, isOutboxPublisher, outboxPublishers, type AnswerToSend, type Change, type InternalEndpoint, type ParsedRequestOf } from '@shop/contracts';
import { AppError } from '@shop/errors';
import { brokerRelayMetrics, startBrokerRelay } from '@shop/events/relay';
import {
  asRequest,
  changesOfThisRequest,
  databaseWasUnavailable,
  noteDatabaseBusy,
  migrationNames,
  openDatabase,
  readPublishedEvents,
  startOutboxRelay,
  type Database,
  type RawSqlClient,
  type WakeableJob,
} from '@shop/db';
import type { Logger } from '@shop/logging';
import { exposition, startMetricsServer, type Registry } from '@shop/metrics';
import { noteViewer } from './access-log.js';
import { DATABASE_UNAVAILABLE } from './database-outage.js';
import type { Readiness, RouteHandler, RunningHttpServer, StopOptions } from './http-server.js';
import { StartRefused } from './main.js';
import { startSubgraphServer } from './subgraph.js';
import { createSubgraphMetrics, type SubgraphMetricsOptions } from './subgraph-metrics.js';

interface PrismaLike extends RawSqlClient {
  $disconnect(): Promise<void>;
}

export interface ServeSubgraphOptions<Prisma extends PrismaLike, Context extends BaseContext & { viewer: Viewer }, Services = undefined> {
  /** The audience a gateway token must name: a token for another subgraph is refused here. */
  name: SubgraphName;
  database: DatabaseConfig;
  /**
   * Apply pending migrations before serving (the embedded default does; real PostgreSQL uses
   * db:migrate unless MIGRATE_ON_START). Otherwise a database that lacks one is refused.
   */
  migrate: boolean;
  migrationsDir: string;
  createPrisma: (database: Database) => Prisma;
  /** Keys of the gateway's identity tokens: requests without a valid one, signed for this very request, are refused. */
  gatewayKeys: KeyRing;
  /**
   * What the process builds once on its database client (a saga and its dependencies), after
   * migrations: every request's context and every background job is handed the same.
   */
  createServices?: (prisma: Prisma) => Services;
  createContext: (prisma: Prisma, identity: RequestIdentity, services: Services) => Promise<Context> | Context;
  /** Relay this subgraph's outbox and serve its event feed. */
  outbox?: boolean;
  /** With an outbox, also relay it to NATS JetStream (docs/adr/0028); the event feed is served either way. */
  broker?: NatsConfig | null;
  /** Service-to-service endpoints (see internalRoute); like GraphQL, only the gateway may call them. */
  internalRoutes?: (prisma: Prisma, services: Services) => InternalRoute[];
  /** Runs after migrations, before the server listens (demo data). */
  prepare?: (prisma: Prisma) => Promise<void>;
  /** Loops that run beside the server (sweepers, recovery); stopped before the database closes. */
  backgroundJobs?: (prisma: Prisma, services: Services) => BackgroundJob[];
  schemaUrl: URL;
  resolvers: object;
  /** What one request may ask of this subgraph, whoever sends it. */
  limits: SubgraphLimits;
  /** Where Prometheus scrapes it (docs/adr/0021); none when absent (in-process tests). */
  metrics?: SubgraphMetricsOptions;
  host: string;
  port: number;
  logger: Logger;
  /** One access line per request, at info (ACCESS_LOG; on unless false). */
  accessLog?: boolean;
}

/** A readiness check waits this long for the database: a hung one makes the subgraph unready, not the probe slow. */
const READINESS_DATABASE_TIMEOUT_MS = 1_000;

export interface BackgroundJob {
  stop(): Promise<void>;
}

/** What serving requests has cost a subgraph so far: HTTP requests and the SQL statements they issued. */
export interface SubgraphUsage {
  requests: number;
  statements: number;
}

export interface RunningSubgraph<Prisma> extends RunningHttpServer {
  readonly prisma: Prisma;
  readonly database: Database;
  usage(): SubgraphUsage;
}

/** Opens the subgraph's database, migrates and prepares it, then serves its schema over HTTP. */
export async function serveSubgraph<Prisma extends PrismaLike, Context extends BaseContext & { viewer: Viewer }, Services = undefined>(
  options: ServeSubgraphOptions<Prisma, Context, Services>,
): Promise<RunningSubgraph<Prisma>> {
  const { logger } = options;
  const database = await openDatabase(options.database, (error) => logger.warn({ err: error }, 'database connection lost'));
  const jobs: BackgroundJob[] = [];
  const stopJobs = () => Promise.all(jobs.map((job) => job.stop()));
  try {
    if (options.migrate) {
      const applied = await database.migrate(options.migrationsDir);
      if (applied.length > 0) logger.info({ applied }, 'applied migrations');
    }
    const migrations = await migrationNames(options.migrationsDir);
    const pending = await database.pendingMigrations(migrations);
    if (pending.length > 0) {
      throw new StartRefused(
        `The ${options.name} database (${database.description}) lacks ${pending.length} migration(s): ${pending.join(', ')}.\n` +
          'Apply them with `npm run db:migrate` (same environment), or start with MIGRATE_ON_START=true.',
      );
    }
    const prisma = options.createPrisma(database);
    await options.prepare?.(prisma);
    const services = options.createServices?.(prisma) as Services;
    const metrics = options.metrics ? createSubgraphMetrics(database) : null;
    const relays = options.outbox ? outboxRelays(prisma, options.name, options.broker ?? null, metrics, logger) : null;
    if (relays) jobs.push(...relays.jobs);
    jobs.push(...(options.backgroundJobs?.(prisma, services) ?? []));
    const routes = [...(options.internalRoutes?.(prisma, services) ?? []), ...(options.outbox ? [eventFeedRoute(prisma)] : [])];
    const identityOf = (request: IncomingMessage, rawBody: string) => {
      const header = request.headers[GATEWAY_TOKEN_HEADER];
      return verifyGatewayToken(options.gatewayKeys, Array.isArray(header) ? header[0] : header, {
        audience: options.name,
        request: { method: request.method ?? 'GET', path: request.url ?? '/', body: rawBody },
      });
    };
    let requests = 0;
    const server = await startSubgraphServer<Context>({
      schemaUrl: options.schemaUrl,
      resolvers: options.resolvers,
      context: async (request, rawBody, scope) => {
        const identity = identityOf(request, rawBody);
        noteViewer(scope, identity.viewer);
        return options.createContext(prisma, identity, services);
      },
      seesMoreThanOthers: (context) => isAdmin(context.viewer),
      routes: internalRoutes(routes, identityOf, logger),
      readiness: () => databaseReadiness(database, migrations),
      aroundRequest: (handle) => {
        requests += 1;
        return asRequest(
          async () => {
            await handle();
            // A request that wrote outbox events has them numbered (and relayed) now, not at the relay's next tick.
            relays?.wakeFor(changesOfThisRequest());
          },
          { maxRows: options.limits.maxRowsPerRequest },
        );
      },
      limits: options.limits,
      metrics: metrics && options.metrics?.alsoOnMainPort ? () => exposition(metrics) : undefined,
      host: options.host,
      port: options.port,
      logger,
      accessLog: options.accessLog ?? true,
    });
    const metricsServer = metrics && (await startMetricsServer(metrics, options.metrics!.endpoint, logger));
    logger.info({ url: server.url, database: database.description }, 'subgraph ready');
    let stopped: Promise<void> | undefined;
    const stop = async (stopOptions?: StopOptions) => {
      await server.stop(stopOptions);
      await metricsServer?.stop();
      await stopJobs();
      await prisma.$disconnect();
      await database.close();
    };
    // Idempotent: a test may stop a subgraph early and again at teardown.
    const usage = () => ({ requests, statements: database.statements.requestStatements });
    return { ...server, prisma, database, usage, stop: (stopOptions) => (stopped ??= stop(stopOptions)) };
  } catch (error) {
    await stopJobs();
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** Numbers the outbox's events for the feed and, when NATS is configured, publishes them to its stream. */
function outboxRelays(
  prisma: RawSqlClient,
  name: SubgraphName,
  broker: NatsConfig | null,
  metrics: Registry | null,
  logger: Logger,
): { jobs: BackgroundJob[]; wakeFor: (changes: readonly Change[]) => void } {
  if (!isOutboxPublisher(name)) throw new Error(`the broker contract names no topics the ${name} subgraph publishes`);
  // Request-scoped changes (a cart, an account) write no outbox row: they wake nothing.
  const published = new Set<string>(outboxPublishers[name]);
  const waking = (numbering: WakeableJob) => (changes: readonly Change[]) => {
    if (changes.some((change) => published.has(change.topic))) numbering.runSoon();
  };
  if (!broker) {
    const numbering = startOutboxRelay(prisma, logger);
    return { jobs: [numbering], wakeFor: waking(numbering) };
  }
  const { stream } = brokerNames(broker);
  const observe = metrics ? brokerRelayMetrics(metrics, { client: prisma, source: name, stream }) : undefined;
  const toBroker = startBrokerRelay({ client: prisma, source: name, nats: broker, logger, observe });
  // Events numbered are published at once, not at the broker relay's next tick.
  const numbering = startOutboxRelay(prisma, logger, { brokerStream: stream, onPublished: toBroker.runSoon });
  return { jobs: [numbering, toBroker], wakeFor: waking(numbering) };
}

/** Ready while the database answers within a second and lacks none of the migrations this code expects. */
async function databaseReadiness(database: Database, migrations: readonly string[]): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READINESS_DATABASE_TIMEOUT_MS)));
  const answered = database.pendingMigrations(migrations).catch(() => 'unavailable' as const);
  const outcome = await Promise.race([answered, timedOut]);
  clearTimeout(timer);
  if (typeof outcome === 'string') return { ready: false, checks: { database: outcome } };
  return {
    ready: outcome.length === 0,
    checks: { database: 'up', migrations: outcome.length === 0 ? 'applied' : { pending: outcome } },
  };
}

/** A service-to-service request that does not follow the endpoint's contract (HTTP 400). */
class BadServiceRequest extends Error {}

/** A subgraph's handler of one internal endpoint, made by internalRoute. */
export interface InternalRoute {
  path: string;
  handle(body: unknown): Promise<unknown>;
}

/**
 * Serves `endpoint` with `handler`, which receives the request as the contract reads it: a
 * body the request schema refuses is answered 400 with what is wrong, and reaches no handler.
 */
export const internalRoute = <Endpoint extends InternalEndpoint>(
  endpoint: Endpoint,
  handler: (request: ParsedRequestOf<Endpoint>) => Promise<AnswerToSend<Endpoint>>,
): InternalRoute => ({
  path: endpoint.path,
  async handle(body) {
    const request = checked<Endpoint['request']>(endpoint.request, body);
    if (!request.ok) throw new BadServiceRequest(request.message);
    return handler(request.value);
  },
});

const eventFeedRoute = (prisma: RawSqlClient) =>
  internalRoute(eventFeed, async ({ after, limit }) => ({ events: await readPublishedEvents(prisma, after, limit) }));

/** Wraps service endpoints so that each checks the gateway's token first, and answers 503 while the database is unavailable. */
function internalRoutes(
  routes: readonly InternalRoute[],
  identityOf: (request: IncomingMessage, rawBody: string) => RequestIdentity,
  logger: Logger,
): Record<string, RouteHandler> {
  return Object.fromEntries(
    routes.map(({ path, handle }) => [
      path,
      async (request: IncomingMessage, body: unknown, rawBody: string) => {
        try {
          identityOf(request, rawBody);
        } catch (error) {
          if (error instanceof AppError) return { status: 401, body: { error: error.code } };
          throw error;
        }
        try {
          return { status: 200, body: await handle(body) };
        } catch (error) {
          if (error instanceof BadServiceRequest) return { status: 400, body: { error: error.message } };
          if (noteDatabaseBusy(error) || databaseWasUnavailable()) {
            logger.warn({ path }, 'service request failed: the database is unavailable');
            return { status: DATABASE_UNAVAILABLE.status, body: { error: DATABASE_UNAVAILABLE.code } };
          }
          throw error;
        }
      },
    ]),
  );
}
