import type { Database } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

export type NotificationsPrisma = PrismaClient;

export const createPrisma = (database: Database): NotificationsPrisma => 
  new PrismaClient({ adapter: database.adapter, transactionOptions: database.transactionOptions });

export const migrationsDir = new URL('../../../../prisma/notifications/migrations', import.meta.url).pathname;
