// npm run admin:create: creates an admin, or resets an admin's password, on the configured users
// database (docs/adr/0025). ADMIN_EMAIL names the account; the password is ADMIN_PASSWORD, or
// else read from standard input (piped, or typed without echo), never from an argument, which
// every user of the machine could read in the process list.
import { text } from 'node:stream/consumers';
import password from '@inquirer/password';
import { adminSchema, ConfigError, databaseSchema, loadConfig, readEnvironment } from '@shop/config';
import { migrationNames, openDatabase } from '@shop/db';
import { createOrResetAdmin, createPrisma, migrationsDir } from '@shop/users';

async function passwordFromStandardInput(email: string | undefined): Promise<string> {
  if (process.stdin.isTTY) return password({ message: `Password for ${email ?? 'the admin'} (12+ characters):`, mask: false });
  // Piped: the first line, without its line ending.
  return (await text(process.stdin)).split(/\r?\n/, 1)[0]!;
}

const env = readEnvironment();
let config;
try {
  const givenPassword = env.ADMIN_PASSWORD ?? (env.ADMIN_EMAIL ? await passwordFromStandardInput(env.ADMIN_EMAIL) : undefined);
  config = loadConfig({ admin: adminSchema, users: databaseSchema('users') }, { ...env, ADMIN_PASSWORD: givenPassword });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const database = await openDatabase(config.users);
try {
  // The embedded database migrates itself, as at start; a PostgreSQL one is migrated by `npm run db:migrate`.
  if (config.users.kind === 'pglite') await database.migrate(migrationsDir);
  const pending = await database.pendingMigrations(await migrationNames(migrationsDir));
  if (pending.length > 0) {
    console.error(`The users database (${database.description}) lacks ${pending.length} migration(s): run \`npm run db:migrate\` first.`);
    process.exit(1);
  }
  const prisma = createPrisma(database);
  const outcome = await createOrResetAdmin(prisma, config.admin);
  await prisma.$disconnect();
  console.log(
    outcome === 'created'
      ? `Admin ${config.admin.email} created (${database.description}).`
      : `Admin ${config.admin.email} reset (${database.description}): the new password holds, every earlier session is signed out.`,
  );
} finally {
  await database.close();
}
