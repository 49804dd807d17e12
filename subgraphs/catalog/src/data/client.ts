import type { Database } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

export type CatalogPrisma = PrismaClient;

export const createPrisma = (database: Database): CatalogPrisma => new PrismaClient({ adapter: database.adapter });

export const migrationsDir = new URL('../../../../prisma/catalog/migrations', import.meta.url).pathname;
