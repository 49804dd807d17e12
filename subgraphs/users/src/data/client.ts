import type { Database } from '@shop/db';
import { PrismaClient } from '../generated/prisma/client.js';

export type UsersPrisma = PrismaClient;

export const createPrisma = (database: Database): UsersPrisma => 
  new PrismaClient({ adapter: database.adapter, transactionOptions: database.transactionOptions });

export const migrationsDir = new URL('../../../../prisma/users/migrations', import.meta.url).pathname;
