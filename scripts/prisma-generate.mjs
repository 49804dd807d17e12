// Generates the Prisma client of each service with a database from prisma/<name>/schema.prisma.
// `prisma generate` insists on a schema-engine binary it never runs; pointing it at any
// existing file keeps generation offline (see docs/adr/0002-offline-prisma.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const subgraphs = ['users', 'catalog', 'orders', 'notifications'];
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

for (const name of subgraphs) {
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/prisma/build/index.js'), 'generate', '--config', `prisma/${name}/prisma.config.ts`],
    { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) {
    console.error(`prisma generate failed for ${name}`);
    process.exit(result.status ?? 1);
  }
}
