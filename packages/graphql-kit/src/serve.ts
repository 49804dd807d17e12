import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { GATEWAY_TOKEN_HEADER, verifyGatewayToken, type RequestIdentity } from '@shop/auth';
import type { DatabaseConfig, KeyRing } from '@shop/config';
import { AppError } from '@shop/errors';
import { openDatabase, type Database } from '@shop/db';
import type { Logger } from '@shop/logging';
import type { RouteHandler, RunningHttpServer } from './http-server.js';
import { startSubgraphServer } from './subgraph.js';

interface PrismaLike {
  $disconnect(): Promise<void>;
}

export interface ServeSubgraphOptions<Prisma extends PrismaLike, Context extends BaseContext> {
  database: DatabaseConfig;
  /** Apply pending migrations before serving (the embedded default does; real PostgreSQL uses db:migrate). */
  migrate: boolean;
  migrationsDir: string;
  createPrisma: (database: Database) => Prisma;
  /** Keys of the gateway's identity tokens: requests without a valid one are refused. */
  gatewayKeys: KeyRing;
  createContext: (prisma: Prisma, identity: RequestIdentity) => Promise<Context> | Context;
  /** Service-to-service endpoints; like GraphQL, only the gateway may call them. */
  internalRoutes?: (prisma: Prisma) => Record<string, (body: unknown) => Promise<unknown>>;
  /** Runs after migrations, before the server listens (demo data). */
  prepare?: (prisma: Prisma) => Promise<void>;
  schemaUrl: URL;
  resolvers: object;
  host: string;
  port: number;
  logger: Logger;
}

export interface RunningSubgraph<Prisma> extends RunningHttpServer {
  readonly prisma: Prisma;
  readonly database: Database;
}

/** Opens the subgraph's database, migrates and prepares it, then serves its schema over HTTP. */
export async function serveSubgraph<Prisma extends PrismaLike, Context extends BaseContext>(
  options: ServeSubgraphOptions<Prisma, Context>,
): Promise<RunningSubgraph<Prisma>> {
  const { logger } = options;
  const database = await openDatabase(options.database);
  try {
    if (options.migrate) {
      const applied = await database.migrate(options.migrationsDir);
      if (applied.length > 0) logger.info({ applied }, 'applied migrations');
    }
    const prisma = options.createPrisma(database);
    await options.prepare?.(prisma);
    const identityOf = (request: IncomingMessage) => {
      const header = request.headers[GATEWAY_TOKEN_HEADER];
      return verifyGatewayToken(options.gatewayKeys, Array.isArray(header) ? header[0] : header);
    };
    const server = await startSubgraphServer<Context>({
      schemaUrl: options.schemaUrl,
      resolvers: options.resolvers,
      context: async (request) => options.createContext(prisma, await identityOf(request)),
      routes: internalRoutes(options.internalRoutes?.(prisma) ?? {}, identityOf),
      health: () => database.ping(),
      host: options.host,
      port: options.port,
      logger,
    });
    logger.info({ url: server.url, database: database.description }, 'subgraph ready');
    let stopped: Promise<void> | undefined;
    const stop = async () => {
      await server.stop();
      await prisma.$disconnect();
      await database.close();
    };
    // Idempotent: a test may stop a subgraph early and again at teardown.
    return { ...server, prisma, database, stop: () => (stopped ??= stop()) };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** Wraps service endpoints so that each checks the gateway's token first. */
function internalRoutes(
  handlers: Record<string, (body: unknown) => Promise<unknown>>,
  identityOf: (request: IncomingMessage) => Promise<RequestIdentity>,
): Record<string, RouteHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([path, handler]) => [
      path,
      async (request: IncomingMessage, body: unknown) => {
        try {
          await identityOf(request);
        } catch (error) {
          if (error instanceof AppError) return { status: 401, body: { error: error.code } };
          throw error;
        }
        return { status: 200, body: await handler(body) };
      },
    ]),
  );
}
