// npm start: the whole supergraph on one machine. Each subgraph, the gateway and the
// notifications worker run in a process of their own, as they would in production; the embedded defaults (PGlite under
// .data/, demo data) need nothing installed. A service that crashes once it has served is
// started again, with backoff, while the others keep serving.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { gatewaySchema, loadConfig, notificationsSchema, readEnvironment, seedSchema, shutdownSchema, subgraphNames, subgraphUrlsSchema } from '@shop/config';
import { DEMO_ADMIN, DEMO_PASSWORD } from '@shop/users';

const STARTUP_TIMEOUT_MS = 180_000;
/** Restarts wait 1 s, then twice as long each time up to 30 s; a service that stayed up a minute starts over at 1 s. */
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
const STABLE_AFTER_MS = 60_000;
/** Beyond each service's own shutdown deadline, before it is killed. */
const KILL_MARGIN_MS = 2_000;

const env = readEnvironment();
const config = loadConfig(
  { gateway: gatewaySchema, subgraphUrls: subgraphUrlsSchema, notifications: notificationsSchema, seed: seedSchema, shutdown: shutdownSchema },
  env,
);
const childEnv = { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' };
let shuttingDown = false;

interface Service {
  name: string;
  entry: string;
  readyUrl: URL;
  child: ChildProcess | null;
  /** Once it has been ready, a crash restarts it; before, it is a failure to start (a configuration error, say). */
  servedOnce: boolean;
  restartDelayMs: number;
  restartTimer: NodeJS.Timeout | null;
}

const service = (name: string, entry: string, url: string): Service => ({
  name,
  entry,
  readyUrl: new URL('/ready', url),
  child: null,
  servedOnce: false,
  restartDelayMs: FIRST_RESTART_DELAY_MS,
  restartTimer: null,
});

const subgraphs = subgraphNames.map((name) => service(name, `subgraphs/${name}/src/main.ts`, config.subgraphUrls[name]));
const gateway = service('gateway', 'gateway/src/main.ts', `http://127.0.0.1:${config.gateway.port}/graphql`);
const notifications = service('notifications', 'workers/notifications/src/main.ts', `http://127.0.0.1:${config.notifications.port}`);
const services = [...subgraphs, gateway, notifications];

function launch(target: Service) {
  const child = spawn(process.execPath, ['--import', 'tsx', target.entry], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  target.child = child;
  console.log(`[${target.name}] started (pid ${child.pid})`);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => console.log(`[${target.name}] ${line}`));
  }
  const launchedAt = Date.now();
  child.on('exit', (code, signal) => {
    // A clean exit (code 0) is a deliberate stop, not a crash.
    if (shuttingDown || code === 0) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (!target.servedOnce) {
      console.error(`[${target.name}] ${how} before it was ready; stopping the supergraph`);
      void shutdown(1);
      return;
    }
    if (Date.now() - launchedAt >= STABLE_AFTER_MS) target.restartDelayMs = FIRST_RESTART_DELAY_MS;
    console.error(`[${target.name}] ${how}; restarting in ${target.restartDelayMs / 1000}s (the others keep serving)`);
    target.restartTimer = setTimeout(() => {
      target.restartTimer = null;
      launch(target);
      void waitForReady(target).catch((error: unknown) => console.error(`[${target.name}] ${(error as Error).message}`));
    }, target.restartDelayMs);
    target.restartDelayMs = Math.min(target.restartDelayMs * 2, MAX_RESTART_DELAY_MS);
  });
}

async function waitForReady(target: Service): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline && !shuttingDown) {
    const ready = await fetch(target.readyUrl, { signal: AbortSignal.timeout(2_000) }).then((response) => response.ok, () => false);
    if (ready) {
      target.servedOnce = true;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${target.name} was not ready within ${STARTUP_TIMEOUT_MS / 1000}s`);
}

/** Stops every service gracefully (the embedded databases flush to disk), then exits. */
async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const target of services) if (target.restartTimer) clearTimeout(target.restartTimer);
  const running = services.map((target) => target.child).filter((child): child is ChildProcess => child !== null && child.exitCode === null && child.signalCode === null);
  const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGTERM');
  const timeout = setTimeout(() => running.forEach((child) => child.kill('SIGKILL')), config.shutdown.timeoutMs + KILL_MARGIN_MS);
  await Promise.all(exited);
  clearTimeout(timeout);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const demoAccounts = `  Admin:      ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}
  Shoppers:   alice@example.com, bob@example.com / ${DEMO_PASSWORD}
  Partner:    partner@example.com / ${DEMO_PASSWORD} (API keys: createApiKey as the admin)

  Sign in with the Login mutation, then send "Authorization: Bearer <accessToken>"
  (the Headers tab in Sandbox).`;
// The embedded database is one process's: the command runs while the supergraph is stopped.
const noDemoAccounts = `  No demo data (SEED_DEMO_DATA=false). To make an admin, stop, run
  ADMIN_EMAIL=<email> npm run admin:create (password on standard input), and start again.`;

const startedAt = Date.now();
console.log('Starting the users, catalog and orders subgraphs...');
subgraphs.forEach(launch);
try {
  await Promise.all(subgraphs.map(waitForReady));
  launch(gateway);
  launch(notifications);
  await Promise.all([waitForReady(gateway), waitForReady(notifications)]);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const gatewayUrl = `http://localhost:${config.gateway.port}/graphql`;
  console.log(`
  Supergraph ready in ${seconds}s.

  Open ${gatewayUrl} in a browser for Apollo Sandbox.
  Readiness: http://localhost:${config.gateway.port}/ready (liveness: /live)
  Emails: ${config.notifications.smtpUrl ? 'sent through SMTP_URL' : `written as .eml files under ${config.notifications.outboxDir}/`}

${config.seed.demoData ? demoAccounts : noDemoAccounts}
  Press Ctrl+C to stop.
`);
} catch (error) {
  if (!shuttingDown) {
    console.error((error as Error).message);
    await shutdown(1);
  }
}
