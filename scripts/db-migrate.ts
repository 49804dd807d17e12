// npm run db:migrate: applies the pending migrations of each service with a database (the
// subgraphs and the notifications worker) to its configured database (USERS_DATABASE_URL,
// CATALOG_DATABASE_URL, ORDERS_DATABASE_URL, NOTIFICATIONS_DATABASE_URL, or the embedded default).
import { databaseSchema, loadConfig, readEnvironment } from '@shop/config';
import { openDatabase } from '@shop/db';
import { migrationsDir as catalogMigrations } from '@shop/catalog';
import { migrationsDir as notificationsMigrations } from '@shop/notifications';
import { migrationsDir as ordersMigrations } from '@shop/orders';
import { migrationsDir as usersMigrations } from '@shop/users';

const config = loadConfig(
  { users: databaseSchema('users'), catalog: databaseSchema('catalog'), orders: databaseSchema('orders'), notifications: databaseSchema('notifications') },
  readEnvironment(),
);
const targets = [
  { name: 'users', database: config.users, dir: usersMigrations },
  { name: 'catalog', database: config.catalog, dir: catalogMigrations },
  { name: 'orders', database: config.orders, dir: ordersMigrations },
  { name: 'notifications', database: config.notifications, dir: notificationsMigrations },
];

for (const target of targets) {
  const database = await openDatabase(target.database);
  try {
    const applied = await database.migrate(target.dir);
    console.log(`${target.name} (${database.description}): ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  } finally {
    await database.close();
  }
}
