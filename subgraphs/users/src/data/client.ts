import { prismaClientOptions, withRowReads, type Database, type RowReads } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

/** Reads outside transactions go through `$readRows` (docs/adr/0049). */
export type UsersPrisma = PrismaClient & RowReads;

export const createPrisma = (database: Database): UsersPrisma => withRowReads(new PrismaClient(prismaClientOptions(database)), database.readRows);

export const migrationsDir = new URL('../../../../prisma/users/migrations', import.meta.url).pathname;
