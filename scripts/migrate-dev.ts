// Offline `prisma migrate dev --create-only` for one service's schema:
//   npx tsx scripts/migrate-dev.ts <users|catalog|orders|notifications> <migration_name> [--timestamp YYYYMMDDHHMMSS]
// With --check it writes nothing and exits 1 when schema.prisma and the migrations disagree
// (a test runs it so that a model change without its migration fails CI).
// The native schema engine cannot be downloaded here, so this drives Prisma's own engine
// compiled to wasm over in-memory PGlite databases. The SQL is Prisma's, and the folder
// format is Prisma Migrate's, so `prisma migrate deploy` works wherever the engine exists.
// See docs/adr/0002-offline-prisma.md.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const schemas = ['users', 'catalog', 'orders', 'notifications'];

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { timestamp: { type: 'string' }, check: { type: 'boolean', default: false } },
});
const [schemaName = '', migrationName = ''] = positionals;
// The folder name is <timestamp>_<migration_name>: keep it a plain identifier.
if (!schemas.includes(schemaName) || !/^\w{1,200}$/.test(migrationName) || positionals.length !== 2) {
  console.error(`usage: tsx scripts/migrate-dev.ts <${schemas.join('|')}> <migration_name> [--timestamp YYYYMMDDHHMMSS] [--check]`);
  process.exit(2);
}
if (values.timestamp !== undefined && !/^\d{14}$/.test(values.timestamp)) {
  console.error('--timestamp must be 14 digits (YYYYMMDDHHMMSS)');
  process.exit(2);
}

const schemaPath = path.join(root, 'prisma', schemaName, 'schema.prisma');
const migrationsDir = path.join(root, 'prisma', schemaName, 'migrations');
const schemaContent = await readFile(schemaPath, 'utf8');
const filters: SchemaFilter = { externalTables: [], externalEnums: [] };

// TypeScript types WebAssembly only in the DOM lib, which this project does not load.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

// The package's entry imports the .wasm as an ES module, which Node 20 only allows behind
// --experimental-wasm-modules. Instantiating it by hand against the package's own JS glue
// does the same thing without a flag.
async function loadSchemaEngine() {
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
    './schema_engine_bg.js': engineBindings,
  });
  engineBindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return engineBindings.SchemaEngine;
}

// Migrations may need extensions (catalog uses pg_trgm), so every database gets the same
// extensions, the shadow one included: the adapter's own shadow database has none.
const openPglite = () => PGlite.create({ extensions: { pg_trgm } });
const opened: PGlite[] = [];

// The adapter's executeScript does not await PGlite's exec: a failing migration would end
// the process as an unhandled rejection instead of coming back to Prisma as an error.
type PgError = { code?: string; severity?: string; message: string; detail?: string; hint?: string };
async function connect(db: PGlite) {
  opened.push(db);
  const adapter = await new PrismaPGlite(db).connect();
  adapter.executeScript = async (script) => {
    await db.exec(script).catch((error: PgError) => {
      const { code = 'N/A', severity = 'N/A', message, detail, hint } = error;
      throw new DriverAdapterError({ kind: 'postgres', code, severity, message, detail, column: undefined, hint });
    });
  };
  return adapter;
}

const mainDb = await openPglite();
const factory: SqlMigrationAwareDriverAdapterFactory = {
  provider: 'postgres',
  adapterName: new PrismaPGlite(mainDb).adapterName,
  connect: () => connect(mainDb),
  connectToShadowDb: async () => connect(await openPglite()),
};

// Same listing as the Prisma CLI: `path` is the bare folder name, sorted by name.
async function listMigrations(): Promise<MigrationList> {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const entries = existsSync(migrationsDir) ? await readdir(migrationsDir, { withFileTypes: true }) : [];
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      folders.map(async (folder) => ({
        path: folder,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(migrationsDir, folder, 'migration.sql'), 'utf8')
            .then((value) => ({ tag: 'ok' as const, value }))
            .catch((error: Error) => ({ tag: 'error' as const, value: error.message })),
        },
      })),
    ),
  };
}

let failed = false;
try {
  const SchemaEngine = await loadSchemaEngine();
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, schemaContent]] },
    (log: string) => process.env.DEBUG && console.error(log),
    bindMigrationAwareSqlAdapterFactory(factory),
  );

  const migrationsList = await listMigrations();
  const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters });
  console.log(`applied ${appliedMigrationNames.length} existing migration(s)${appliedMigrationNames.length ? `: ${appliedMigrationNames.join(', ')}` : ''}`);
  // Order matters: in the wasm engine createMigration cannot open a shadow database itself
  // ("PostgreSQL shadow DB must be provided through an external factory"). devDiagnostic replays
  // the migrations the dev database has applied into one (connectToShadowDb) and caches that
  // schema, which createMigration reuses; so it runs after every migration is applied.
  // The dev database is fresh, so a "reset" here means the migrations disagree with their own
  // replay (drift), not that data is at stake.
  const { action } = await engine.devDiagnostic({ migrationsList, filters });
  if (action.tag === 'reset') throw new Error(`migrate dev would reset the database: ${action.reason}`);

  const schema = { files: [{ path: schemaPath, content: schemaContent }] };
  const created = await engine.createMigration({ draft: false, migrationName, migrationsList, schema, filters });
  if (created.migrationScript === null) {
    console.log(`no schema changes for ${schemaName}: nothing written`);
  } else if (values.check) {
    console.error(`prisma/${schemaName}/schema.prisma needs a migration:\n${created.migrationScript}`);
    failed = true;
  } else {
    // A fixed timestamp keeps folder names stable when several schemas get the same migration.
    const folder = values.timestamp
      ? created.generatedMigrationName.replace(/^\d{14}/, values.timestamp)
      : created.generatedMigrationName;
    const folderPath = path.join(migrationsDir, folder);
    if (existsSync(folderPath)) throw new Error(`${path.relative(root, folderPath)} already exists`);
    await mkdir(folderPath, { recursive: true });
    await writeFile(path.join(folderPath, `migration.${created.extension}`), created.migrationScript);
    await writeFile(
      path.join(migrationsDir, 'migration_lock.toml'),
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${created.connectorType}"\n`,
    );
    console.log(`created ${path.relative(root, folderPath)}/migration.${created.extension}`);
  }
  engine.free();
} catch (error) {
  console.error(`migrate-dev ${schemaName} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  failed = true;
} finally {
  await Promise.all(opened.map((db) => db.close()));
}
// Not process.exitCode: PGlite's Emscripten runtime overwrites it when a database opens and closes.
process.exit(failed ? 1 : 0);
