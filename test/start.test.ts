import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contractOperation, postGraphQL } from '@shop/testing';
import { startLauncher, type LauncherProcess } from './launcher-process.js';

const READY_TIMEOUT_MS = 150_000;

/** What a newcomer does: `npm start` on the embedded defaults, then a browser or client on the printed URL. */
describe('npm start', () => {
  let launcher: LauncherProcess;
  let gatewayPort: number;
  let output = '';

  beforeAll(async () => {
    launcher = await startLauncher({}, READY_TIMEOUT_MS);
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
