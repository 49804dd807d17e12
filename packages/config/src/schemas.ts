import { z } from 'zod';

export type SubgraphName = 'users' | 'catalog' | 'orders';
export const subgraphNames: readonly SubgraphName[] = ['users', 'catalog', 'orders'];

const defaultPorts: Record<SubgraphName, number> = { users: 4001, catalog: 4002, orders: 4003 };

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

export const runtimeSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type DatabaseConfig =
  | { kind: 'postgres'; url: string }
  /** dataDir null keeps the embedded database in memory (tests). */
  | { kind: 'pglite'; dataDir: string | null };

/** A real PostgreSQL when <NAME>_DATABASE_URL is set, otherwise PGlite under DATA_DIR/<name>. */
export function databaseSchema(name: SubgraphName) {
  const urlKey = `${name.toUpperCase()}_DATABASE_URL`;
  return z
    .object({ [urlKey]: postgresUrl.optional(), DATA_DIR: z.string().min(1).default('.data') })
    .transform((env): DatabaseConfig => {
      // The key is computed, so zod types the object loosely; its values were validated above.
      const url = env[urlKey] as string | undefined;
      return url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: `${env.DATA_DIR as string}/${name}` };
    });
}

export function subgraphServerSchema(name: SubgraphName) {
  const portKey = `${name.toUpperCase()}_PORT`;
  return z
    .object({ [portKey]: port(defaultPorts[name]), HOST: z.string().min(1).default('127.0.0.1') })
    .transform((env) => ({ port: env[portKey] as number, host: env.HOST as string }));
}

export const seedSchema = z
  .object({
    SEED_DEMO_DATA: booleanFlag(true),
    SEED_ADMIN_EMAIL: z.email().default('admin@example.com'),
    SEED_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').default('admin-password-123'),
  })
  .transform((env) => ({
    demoData: env.SEED_DEMO_DATA,
    adminEmail: env.SEED_ADMIN_EMAIL.toLowerCase(),
    adminPassword: env.SEED_ADMIN_PASSWORD,
  }));

export type SeedConfig = z.output<typeof seedSchema>;

/** Where the gateway finds each subgraph; defaults follow the subgraphs' default ports. */
export const gatewaySchema = z
  .object({
    PORT: port(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    USERS_URL: z.url().optional(),
    CATALOG_URL: z.url().optional(),
    ORDERS_URL: z.url().optional(),
    USERS_PORT: port(defaultPorts.users),
    CATALOG_PORT: port(defaultPorts.catalog),
    ORDERS_PORT: port(defaultPorts.orders),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    subgraphUrls: {
      users: env.USERS_URL ?? `http://127.0.0.1:${env.USERS_PORT}/graphql`,
      catalog: env.CATALOG_URL ?? `http://127.0.0.1:${env.CATALOG_PORT}/graphql`,
      orders: env.ORDERS_URL ?? `http://127.0.0.1:${env.ORDERS_PORT}/graphql`,
    } satisfies Record<SubgraphName, string>,
  }));

export type GatewayConfig = z.output<typeof gatewaySchema>;

/** Test runs only: a PostgreSQL server on which each run creates (and drops) its own databases. */
export const testSchema = z
  .object({
    TEST_POSTGRES_URL: postgresUrl.optional(),
    CI: z.string().optional(),
  })
  .superRefine((env, context) => {
    if (env.CI && !env.TEST_POSTGRES_URL) {
      context.addIssue({ code: 'custom', path: ['TEST_POSTGRES_URL'], message: 'is required in CI (real PostgreSQL tests)' });
    }
  })
  .transform((env) => ({ postgresUrl: env.TEST_POSTGRES_URL ?? null }));
