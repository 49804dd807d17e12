// npm start: the whole supergraph on one machine. Each subgraph and the gateway run in a
// process of their own, as they would in production; the embedded defaults (PGlite under
// .data/, demo data) need nothing installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { gatewaySchema, loadConfig, readEnvironment, seedSchema, subgraphNames, subgraphUrlsSchema } from '@shop/config';
import { DEMO_PASSWORD } from '@shop/users';

const STARTUP_TIMEOUT_MS = 180_000;
const env = readEnvironment();
const config = loadConfig({ gateway: gatewaySchema, subgraphUrls: subgraphUrlsSchema, seed: seedSchema }, env);
const childEnv = { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' };
const children: ChildProcess[] = [];
let shuttingDown = false;

function launch(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  child.on('exit', (code) => {
    if (shuttingDown) return;
    console.error(`[${name}] exited with code ${code}; stopping the supergraph`);
    void shutdown(1);
  });
  children.push(child);
  return child;
}

async function waitForHealth(name: string, graphqlUrl: string): Promise<void> {
  const healthUrl = new URL('/health', graphqlUrl);
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const healthy = await fetch(healthUrl).then((response) => response.ok, () => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not become healthy within ${STARTUP_TIMEOUT_MS / 1000}s`);
}

const SHUTDOWN_GRACE_MS = 10_000;

/** Stops every service gracefully (the embedded databases flush to disk), then exits. */
async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGTERM');
  const timeout = setTimeout(() => running.forEach((child) => child.kill('SIGKILL')), SHUTDOWN_GRACE_MS);
  await Promise.all(exited);
  clearTimeout(timeout);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const startedAt = Date.now();
console.log('Starting the users, catalog and orders subgraphs...');
for (const name of subgraphNames) launch(name, `subgraphs/${name}/src/main.ts`);
try {
  await Promise.all(subgraphNames.map((name) => waitForHealth(name, config.subgraphUrls[name])));
  launch('gateway', 'gateway/src/main.ts');
  const gatewayUrl = `http://localhost:${config.gateway.port}/graphql`;
  await waitForHealth('gateway', gatewayUrl);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`
  Supergraph ready in ${seconds}s.

  Open ${gatewayUrl} in a browser for Apollo Sandbox.
  Health: http://localhost:${config.gateway.port}/health

  Admin:      ${config.seed.adminEmail} / ${env.SEED_ADMIN_PASSWORD ? '(SEED_ADMIN_PASSWORD)' : config.seed.adminPassword}
  Shoppers:   alice@example.com, bob@example.com / ${DEMO_PASSWORD}
  Partner:    partner@example.com / ${DEMO_PASSWORD} (API keys: createApiKey as the admin)

  Sign in with the Login mutation, then send "Authorization: Bearer <accessToken>"
  (the Headers tab in Sandbox).
  Press Ctrl+C to stop.
`);
} catch (error) {
  console.error((error as Error).message);
  await shutdown(1);
}
