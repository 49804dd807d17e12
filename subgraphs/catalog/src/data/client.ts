import type { Database } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

export type CatalogPrisma = PrismaClient;

/**
 * The longest a catalog transaction may stay open: Prisma rolls an interactive one back past it.
 * It is Prisma's default, named because partners' sync counts on it (SYNC_SETTLE_MS).
 */
export const TRANSACTION_TIMEOUT_MS = 5_000;

export const createPrisma = (database: Database): CatalogPrisma =>
  new PrismaClient({ adapter: database.adapter, transactionOptions: { ...database.transactionOptions, timeout: TRANSACTION_TIMEOUT_MS } });

export const migrationsDir = new URL('../../../../prisma/catalog/migrations', import.meta.url).pathname;
