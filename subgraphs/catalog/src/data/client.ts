import { prismaClientOptions, withRowReads, type Database, type RowReads } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

/** Reads outside transactions go through `$readRows` (docs/adr/0049). */
export type CatalogPrisma = PrismaClient & RowReads;

/**
 * The longest a catalog transaction may stay open: Prisma rolls an interactive one back past it.
 * It is Prisma's default, named because partners' sync counts on it (SYNC_SETTLE_MS).
 */
export const TRANSACTION_TIMEOUT_MS = 5_000;

export const createPrisma = (database: Database): CatalogPrisma => {
  const options = prismaClientOptions(database);
  return withRowReads(new PrismaClient({ ...options, transactionOptions: { ...options.transactionOptions, timeout: TRANSACTION_TIMEOUT_MS } }), database.readRows);
};

export const migrationsDir = new URL('../../../../prisma/catalog/migrations', import.meta.url).pathname;
