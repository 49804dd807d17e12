import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contractOperation, postGraphQL } from '@shop/testing';

const repoRoot = new URL('..', import.meta.url).pathname;
const READY_TIMEOUT_MS = 150_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** What a newcomer does: `npm start` on the embedded defaults, then a browser or client on the printed URL. */
describe('npm start', () => {
  let launcher: ChildProcess;
  let dataDir: string;
  let gatewayPort: number;
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'supergraph-start-'));
    const [port, users, catalog, orders] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    gatewayPort = port;
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in time:\n${output}`)), READY_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Supergraph ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      launcher.stdout!.on('data', onData);
      launcher.stderr!.on('data', onData);
      launcher.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
  }, READY_TIMEOUT_MS + 5_000);

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      const exited = new Promise((resolve) => launcher.once('exit', resolve));
      launcher.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  const gateway = () => `http://127.0.0.1:${gatewayPort}/graphql`;

  it('prints where to point a browser and how to sign in', () => {
    expect(output).toContain(`http://localhost:${gatewayPort}/graphql`);
    expect(output).toContain('admin@example.com');
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
});
