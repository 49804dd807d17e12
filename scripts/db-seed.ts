// npm run db:seed: loads the demo data (idempotent) into the configured databases. The
// embedded default seeds itself at start; real PostgreSQL is seeded by this command.
import { databaseSchema, loadConfig, readEnvironment, runtimeSchema, seedSchema } from '@shop/config';
import { openDatabase } from '@shop/db';
import { createLogger } from '@shop/logging';
import { createPrisma as createCatalogPrisma, seedCatalog } from '@shop/catalog';
import { createPrisma as createUsersPrisma, seedUsers } from '@shop/users';

const config = loadConfig(
  { runtime: runtimeSchema, seed: seedSchema, users: databaseSchema('users'), catalog: databaseSchema('catalog') },
  readEnvironment(),
);
const logger = createLogger('seed', config.runtime.LOG_LEVEL);

const usersDatabase = await openDatabase(config.users);
const usersPrisma = createUsersPrisma(usersDatabase);
await seedUsers(usersPrisma, config.seed, logger);
await usersPrisma.$disconnect();
await usersDatabase.close();

const catalogDatabase = await openDatabase(config.catalog);
const catalogPrisma = createCatalogPrisma(catalogDatabase);
await seedCatalog(catalogPrisma, logger);
await catalogPrisma.$disconnect();
await catalogDatabase.close();
