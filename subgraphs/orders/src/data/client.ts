import type { Database } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

export type OrdersPrisma = PrismaClient;

export const createPrisma = (database: Database): OrdersPrisma => 
  new PrismaClient({ adapter: database.adapter, transactionOptions: database.transactionOptions });

export const migrationsDir = new URL('../../../../prisma/orders/migrations', import.meta.url).pathname;
