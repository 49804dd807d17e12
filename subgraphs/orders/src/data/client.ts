import { prismaClientOptions, withRowReads, type Database, type RowReads } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

/** Reads outside transactions go through `$readRows` (docs/adr/0049). */
export type OrdersPrisma = PrismaClient & RowReads;

export const createPrisma = (database: Database): OrdersPrisma => withRowReads(new PrismaClient(prismaClientOptions(database)), database.readRows);

export const migrationsDir = new URL('../../../../prisma/orders/migrations', import.meta.url).pathname;
