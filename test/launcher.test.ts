import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contractOperation, freePort, postGraphQL } from '@shop/testing';

const repoRoot = new URL('..', import.meta.url).pathname;
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** The launcher's own margin past a service's deadline before it kills it, and this test's slack. */
const STOP_WITHIN_MS = SHUTDOWN_TIMEOUT_MS + 2_000 + 1_000;

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, read: () => Promise<T> | T, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `npm start` as an operator runs it, minus the demo data (it only slows the start). */
describe('the launcher (npm start)', () => {
  let launcher: ChildProcess;
  let dataDir: string;
  let gatewayUrl: string;
  let output = '';

  /** Every service process the launcher started, by name, in order. */
  const pidsOf = (name: string) => [...output.matchAll(new RegExp(`\\[${name}\\] started \\(pid (\\d+)\\)`, 'g'))].map((match) => Number(match[1]));
  const allPids = () => [...output.matchAll(/\] started \(pid (\d+)\)/g)].map((match) => Number(match[1]));
  /** A product list of its own length: the response cache has not seen it. */
  const products = (limit: number) =>
    postGraphQL(gatewayUrl, { query: contractOperation('frontend', 'Products'), variables: { limit } }).catch((error: Error) => ({ errors: [{ message: error.message }] }));

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'supergraph-launcher-'));
    const [port, users, catalog, orders] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    gatewayUrl = `http://127.0.0.1:${port}/graphql`;
    launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_DIR: dataDir,
        PORT: String(port),
        USERS_PORT: String(users),
        CATALOG_PORT: String(catalog),
        ORDERS_PORT: String(orders),
        SEED_DEMO_DATA: 'false',
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until('Supergraph ready', () => output, (text) => text.includes('Supergraph ready') || launcher.exitCode !== null, 60_000);
    expect(launcher.exitCode).toBeNull();
  }, 70_000);

  afterAll(async () => {
    for (const pid of [launcher?.pid, ...allPids()]) if (pid && isRunning(pid)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('restarts a subgraph killed with SIGKILL while the others keep serving, then stops everything on SIGINT', async () => {
    expect((await products(1)).errors).toBeUndefined();
    const [firstCatalog] = pidsOf('catalog');
    process.kill(firstCatalog!, 'SIGKILL');

    // The gateway and the other subgraphs keep serving while catalog is away.
    const during = await products(2);
    expect(during.errors?.length).toBeGreaterThan(0);
    expect((await fetch(new URL('/ready', gatewayUrl))).status).toBe(200);
    const signIn = await postGraphQL(gatewayUrl, { query: contractOperation('frontend', 'Login'), variables: { input: { email: 'nobody@example.com', password: 'wrong-password-123' } } });
    expect(signIn.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    await until('catalog restarted', () => pidsOf('catalog'), (pids) => pids.length === 2, 10_000);
    expect(output).toMatch(/\[catalog\] was killed by SIGKILL; restarting in 1s/);
    let attempt = 0;
    const after = await until('the gateway answers catalog fields again', () => products(3 + (attempt++ % 90)), (response) => response.errors === undefined, 40_000);
    expect(after.errors).toBeUndefined();

    const pids = [launcher.pid!, ...allPids()];
    const signalledAt = Date.now();
    launcher.kill('SIGINT');
    await once(launcher, 'exit');
    await until('every process gone', () => pids.filter(isRunning), (running) => running.length === 0, STOP_WITHIN_MS);
    const stoppedMs = Date.now() - signalledAt;
    console.log('launcher:', { pids: pids.length, stoppedMs, exitCode: launcher.exitCode });
    expect(stoppedMs).toBeLessThan(STOP_WITHIN_MS);
    expect(launcher.exitCode).toBe(0);
  }, 80_000);
});
