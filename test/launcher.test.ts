import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contractOperation, postGraphQL } from '@shop/testing';
import { isRunning, startedPids, startLauncher, type LauncherProcess } from './launcher-process.js';

/** As in start.test: four PGlite services compiling at once on a busy 2-core machine take a while. */
const READY_TIMEOUT_MS = 150_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** The launcher's own margin past a service's deadline before it kills it, and this test's slack. */
const STOP_WITHIN_MS = SHUTDOWN_TIMEOUT_MS + 2_000 + 1_000;

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
  let launcher: LauncherProcess;
  let gatewayUrl: string;

  /** A product list of its own length: the response cache has not seen it. */
  const products = (limit: number) =>
    postGraphQL(gatewayUrl, { query: contractOperation('frontend', 'Products'), variables: { limit } }).catch((error: Error) => ({ errors: [{ message: error.message }] }));

  beforeAll(async () => {
    launcher = await startLauncher({ SEED_DEMO_DATA: 'false', LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) }, READY_TIMEOUT_MS);
    gatewayUrl = `http://127.0.0.1:${launcher.gatewayPort}/graphql`;
  }, READY_TIMEOUT_MS + 5_000);
  afterAll(() => launcher?.cleanUp());

  it('restarts a subgraph killed with SIGKILL while the others keep serving, then stops everything on SIGINT', async () => {
    expect((await products(1)).errors).toBeUndefined();
    const [firstCatalog] = startedPids(launcher.output(), 'catalog');
    process.kill(firstCatalog!, 'SIGKILL');

    // The gateway and the other subgraphs keep serving while catalog is away.
    const during = await products(2);
    expect(during.errors?.length).toBeGreaterThan(0);
    expect((await fetch(new URL('/ready', gatewayUrl))).status).toBe(200);
    const signIn = await postGraphQL(gatewayUrl, { query: contractOperation('frontend', 'Login'), variables: { input: { email: 'nobody@example.com', password: 'wrong-password-123' } } });
    expect(signIn.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    await until('catalog restarted', () => startedPids(launcher.output(), 'catalog'), (pids) => pids.length === 2, 10_000);
    expect(launcher.output()).toMatch(/\[catalog\] was killed by SIGKILL; restarting in 1s/);
    let attempt = 0;
    const after = await until('the gateway answers catalog fields again', () => products(3 + (attempt++ % 90)), (response) => response.errors === undefined, 40_000);
    expect(after.errors).toBeUndefined();

    const pids = [launcher.child.pid!, ...startedPids(launcher.output())];
    const signalledAt = Date.now();
    launcher.child.kill('SIGINT');
    await once(launcher.child, 'exit');
    await until('every process gone', () => pids.filter(isRunning), (running) => running.length === 0, STOP_WITHIN_MS);
    const stoppedMs = Date.now() - signalledAt;
    console.log('launcher:', { pids: pids.length, stoppedMs, exitCode: launcher.child.exitCode });
    expect(stoppedMs).toBeLessThan(STOP_WITHIN_MS);
    expect(launcher.child.exitCode).toBe(0);
  }, 80_000);
});
