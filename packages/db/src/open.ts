import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { DatabaseConfig } from '@shop/config';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations, pendingMigrations } from './migrations.js';
import type { SqlRunner } from './sql-runner.js';
import { statementNames } from './prepared-statements.js';
import { rowReads, type ReadRows } from './row-reads.js';
import { countingAdapter, type StatementCounter } from './statements.js';

export interface Database {
  /** Driver adapter for `new PrismaClient({ adapter, transactionOptions })`. */
  readonly adapter: SqlDriverAdapterFactory;
  /** How long a transaction may wait to start, fitted to the engine: give it to PrismaClient. */
  readonly transactionOptions: { readonly maxWait: number };
  /** Rows of a read outside transactions, through the same adapter (see row-reads.ts). */
  readonly readRows: ReadRows;
  /** How many statements the adapter sent while serving requests (see asRequest). */
  readonly statements: StatementCounter;
  /** Where the data lives, safe to log (no credentials). */
  readonly description: string;
  migrate(migrationsDir: string): Promise<string[]>;
  /** Which of these migrations (by folder name) the database lacks. */
  pendingMigrations(names: readonly string[]): Promise<string[]>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** The connection pool's use right now; null for an embedded database, which has no pool. */
  poolUse(): PoolUse | null;
  close(): Promise<void>;
}

export interface PoolUse {
  /** Connections open, in use or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

const pgliteRunner = (db: PGlite): SqlRunner => ({
  exec: async (script) => {
    await db.exec(script);
  },
  query: async <Row>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows,
});

/**
 * PGlite runs one transaction at a time: a burst of orders queues behind one another, and
 * Prisma's default wait to start (2 s) failed some of 50 shoppers ordering at once on a slow
 * machine. Bounded still, below the 10 s its callers give a request, so that a
 * transaction that cannot start answers SERVICE_UNAVAILABLE before the caller gives up.
 */
const PGLITE_TRANSACTION_WAIT_MS = 8_000;

async function openPglite(dataDir: string | null, transactionWaitMs = PGLITE_TRANSACTION_WAIT_MS): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ?? 'memory://', { extensions: { pg_trgm } });
  const { adapter, counter } = countingAdapter(new PrismaPGlite(db));
  return {
    adapter,
    readRows: rowReads(adapter),
    transactionOptions: { maxWait: transactionWaitMs },
    statements: counter,
    description: dataDir ? `PGlite at ${dataDir}` : 'PGlite in memory',
    migrate: (dir) => applyMigrations(pgliteRunner(db), dir),
    pendingMigrations: (names) => pendingMigrations(pgliteRunner(db), names),
    ping: async () => (await db.query('SELECT 1')).rows.length === 1,
    poolUse: () => null,
    close: () => db.close(),
  };
}

const pgRunner = (db: pg.Pool | pg.PoolClient): SqlRunner => ({
  exec: async (script) => {
    await db.query(script);
  },
  query: async <Row>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as Row[],
});

function describePostgres(url: string) {
  const parsed = new URL(url);
  return `PostgreSQL at ${parsed.host}${parsed.pathname}`;
}

/** Told about a connection the server dropped (restart, failover, admin kill); the pool replaces it. */
export type ConnectionErrorListener = (error: Error) => void;

/** pg waits for a new connection forever by default: a server that does not answer would hold every request. */
const CONNECT_TIMEOUT_MS = 5_000;

async function openPostgres(
  url: string,
  preparedStatements: boolean,
  onConnectionError: ConnectionErrorListener,
  // By default, waiting for a pooled connection has one bound, whether a transaction or a single statement waits.
  transactionWaitMs = CONNECT_TIMEOUT_MS,
): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection the server drops emits 'error' on its client, and on the pool too when it
  // was idle; unheard, either ends the process. Each client reports it once; the pool
  // replaces the connection on the next checkout.
  pool.on('connect', (client) => client.on('error', onConnectionError));
  pool.on('error', () => undefined);
  // Surface a wrong URL at start, not on the first request.
  await pool.query('SELECT 1');
  const { adapter, counter } = countingAdapter(new PrismaPg(pool, preparedStatements ? { statementNameGenerator: statementNames() } : undefined));
  return {
    adapter,
    readRows: rowReads(adapter),
    transactionOptions: { maxWait: transactionWaitMs },
    statements: counter,
    description: describePostgres(url),
    migrate: async (dir) => {
      // One connection throughout: the advisory lock belongs to a session.
      const client = await pool.connect();
      try {
        return await applyMigrations(pgRunner(client), dir);
      } finally {
        client.release();
      }
    },
    pendingMigrations: (names) => pendingMigrations(pgRunner(pool), names),
    ping: async () => (await pool.query('SELECT 1')).rowCount === 1,
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

/**
 * What each subgraph gives its PrismaClient. `errorFormat: 'minimal'`: any other format has
 * Prisma capture a stack trace on every query to point at its caller in an error message,
 * which our errors never show (they are masked, and logged with their own stack).
 */
export const prismaClientOptions = (database: Database) =>
  ({ adapter: database.adapter, transactionOptions: database.transactionOptions, errorFormat: 'minimal' }) as const;

export function openDatabase(config: DatabaseConfig, onConnectionError: ConnectionErrorListener = () => undefined): Promise<Database> {
  return config.kind === 'postgres'
    ? openPostgres(config.url, config.preparedStatements ?? true, onConnectionError, config.transactionWaitMs)
    : openPglite(config.dataDir, config.transactionWaitMs);
}
