// Used by the Prisma CLI only (generate; migrate deploy where its engine can be downloaded).
// The services open their databases through @shop/db, which reads validated configuration.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  datasource: { url: process.env.NOTIFICATIONS_DATABASE_URL ?? '' },
});
