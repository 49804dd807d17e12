// npm run db:seed: loads the demo data (idempotent) into the configured databases, when
// SEED_DEMO_DATA allows it: by default in development, never in production (docs/adr/0025).
// The embedded default seeds itself at start; real PostgreSQL is seeded by this command.
// A real admin is made with `npm run admin:create`.
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

if (!config.seed.demoData) {
  logger.warn('no demo data loaded: SEED_DEMO_DATA is false (always in production); make an admin with `npm run admin:create`');
} else {
  const usersDatabase = await openDatabase(config.users);
  const usersPrisma = createUsersPrisma(usersDatabase);
  await seedUsers(usersPrisma, logger);
  await usersPrisma.$disconnect();
  await usersDatabase.close();

  const catalogDatabase = await openDatabase(config.catalog);
  const catalogPrisma = createCatalogPrisma(catalogDatabase);
  await seedCatalog(catalogPrisma, logger);
  await catalogPrisma.$disconnect();
  await catalogDatabase.close();
}
