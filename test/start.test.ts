import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contractOperation, postGraphQL } from '@shop/testing';
import { isRunning, startedPids, startLauncher, type LauncherProcess } from './launcher-process.js';

/** Five PGlite services compiling at once on a busy 2-core machine take a while. */
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

/**
 * What a newcomer does: `npm start` on the embedded defaults, then a browser or client on the
 * printed URL; and what an operator sees of the launcher when a service dies and when it is
 * stopped. One launcher serves both: its start is most of this file's time.
 */
describe('npm start', () => {
  let launcher: LauncherProcess;
  let gatewayPort: number;
  let output = '';

  beforeAll(async () => {
    launcher = await startLauncher({ SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) }, READY_TIMEOUT_MS);
    gatewayPort = launcher.gatewayPort;
    output = launcher.output();
  }, READY_TIMEOUT_MS + 5_000);

  afterAll(async () => {
    const { child } = launcher ?? {};
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await launcher?.cleanUp();
  });

  const gateway = () => `http://127.0.0.1:${gatewayPort}/graphql`;

  it('prints where to point a browser and how to sign in', () => {
    expect(output).toContain(`http://localhost:${gatewayPort}/graphql`);
    expect(output).toContain('admin@example.com');
  });

  it('runs the notifications worker too, writing emails under the data folder', async () => {
    expect((await fetch(`http://127.0.0.1:${launcher.notificationsPort}/ready`)).status).toBe(200);
    expect(output).toMatch(/Emails: written as \.eml files under .*notifications\/outbox\//);
  });

  it('serves Apollo Sandbox and a health check', async () => {
    const landing = await fetch(gateway(), { headers: { accept: 'text/html' } });
    expect(landing.status).toBe(200);
    expect(await landing.text()).toMatch(/sandbox/i);
    const health = await fetch(`http://127.0.0.1:${gatewayPort}/health`);
    expect(health.status).toBe(200);
  });

  it('answers the public storefront operations with demo data', async () => {
    const products = await postGraphQL<{ products: { items: Array<{ id: string; category: unknown }>; meta: { totalItems: number } } }>(
      gateway(),
      { query: contractOperation('frontend', 'Products'), variables: { limit: 5 } },
    );
    expect(products.errors).toBeUndefined();
    expect(products.data!.products.meta.totalItems).toBeGreaterThan(400);
    expect(products.data!.products.items).toHaveLength(5);

    const firstId = products.data!.products.items[0]!.id;
    const product = await postGraphQL<{ product: { id: string; category: { parent: { id: string } } } }>(gateway(), {
      query: contractOperation('frontend', 'Product'),
      variables: { id: firstId },
    });
    expect(product.errors).toBeUndefined();
    expect(product.data!.product.category.parent.id).toBeTruthy();

    const categories = await postGraphQL<{ categories: Array<{ id: string; parent: unknown }> }>(gateway(), {
      query: contractOperation('frontend', 'Categories'),
    });
    const root = categories.data!.categories.find((category) => category.parent === null)!;
    const categoryProducts = await postGraphQL<{ category: { products: { meta: { totalItems: number } } } }>(gateway(), {
      query: contractOperation('frontend', 'CategoryProducts'),
      variables: { id: root.id, limit: 3 },
    });
    expect(categoryProducts.errors).toBeUndefined();
    expect(categoryProducts.data!.category.products.meta.totalItems).toBeGreaterThan(50);

    const soldOut = await postGraphQL<{ products: { meta: { totalItems: number } } }>(gateway(), {
      query: contractOperation('frontend', 'Products'),
      variables: { filter: { inStock: false } },
    });
    expect(soldOut.data!.products.meta.totalItems).toBeGreaterThan(0);
  });

  it('signs the printed admin in, who may then run admin operations', async () => {
    const login = await postGraphQL<{ login: { accessToken: string; user: { role: string } } }>(gateway(), {
      query: contractOperation('frontend', 'Login'),
      variables: { input: { email: 'admin@example.com', password: 'admin-password-123' } },
    });
    expect(login.data!.login.user.role).toBe('ADMIN');
    const users = await postGraphQL<{ users: { meta: { totalItems: number } } }>(gateway(), {
      query: contractOperation('admin', 'Users'),
      headers: { authorization: `Bearer ${login.data!.login.accessToken}` },
    });
    expect(users.errors).toBeUndefined();
    expect(users.data!.users.meta.totalItems).toBeGreaterThanOrEqual(5);
  });

  /** A product list of its own length, which the response cache has not seen (the cases above read 5). */
  const products = (limit: number) =>
    postGraphQL(gateway(), { query: contractOperation('frontend', 'Products'), variables: { limit } }).catch((error: Error) => ({ errors: [{ message: error.message }] }));

  // Last: it ends the launcher.
  it('restarts a subgraph killed with SIGKILL while the others keep serving, then stops everything on SIGINT', async () => {
    expect((await products(1)).errors).toBeUndefined();
    const [firstCatalog] = startedPids(launcher.output(), 'catalog');
    process.kill(firstCatalog!, 'SIGKILL');

    // The gateway and the other subgraphs keep serving while catalog is away.
    const during = await products(2);
    expect(during.errors?.length).toBeGreaterThan(0);
    expect((await fetch(new URL('/ready', gateway()))).status).toBe(200);
    const signIn = await postGraphQL(gateway(), { query: contractOperation('frontend', 'Login'), variables: { input: { email: 'nobody@example.com', password: 'wrong-password-123' } } });
    expect(signIn.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    await until('catalog restarted', () => startedPids(launcher.output(), 'catalog'), (pids) => pids.length === 2, 10_000);
    expect(launcher.output()).toMatch(/\[catalog\] was killed by SIGKILL; restarting in 1s/);
    let attempt = 0;
    const after = await until('the gateway answers catalog fields again', () => products(6 + (attempt++ % 90)), (response) => response.errors === undefined, 40_000);
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
