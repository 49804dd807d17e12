// The five workloads of `npm run bench` and `npm run bench:memory`, built on a cluster's seeded
// data: each as our gateway gets it (real credentials: shoppers and an administrator signed in
// through a gateway of ours) and as a peer gateway gets it (the viewer named in x-bench-viewer).
import { contractOperation } from '@shop/testing';
import { TEST_PASSWORD } from '@shop/users/testing';
import { VIEWER_HEADER } from './peer-gateways.js';
import { highBudgets, shoppers as clientAddresses, signIn, type Cluster } from './processes.js';
import type { Workload } from './workloads.js';

/** Shoppers with carts and orders the cluster is seeded with for these workloads. */
export const SHOPPERS = 50;

export interface BenchWorkload {
  name: string;
  /** Every request the same (in-flight sharing answers many with one fetch), or each one different as real traffic is. */
  identical: boolean;
  /** The workload as sent to our gateway (real credentials) or to a peer (the viewer in x-bench-viewer). */
  build(to: 'ours' | 'peer'): Workload;
}

/** The payload of a JWT, unverified: the viewer a gateway token names, a signed-in user's id. */
export const jwtPayload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * Signs the cluster's shoppers and its administrator in once, one at a time (sign-ins from one
 * address are limited), through a gateway of ours started for it: an access token serves every
 * gateway of ours for an hour.
 */
export async function realTrafficWorkloads(cluster: Cluster): Promise<BenchWorkload[]> {
  const signInGateway = await cluster.startGateway('sign-in', { RESPONSE_CACHE: 'false', ...highBudgets });
  const shopperHeaders: Array<Record<string, string>> = [];
  for (const shopper of cluster.shop.shoppers) shopperHeaders.push(await signIn(signInGateway.url, { email: shopper.email, password: TEST_PASSWORD }));
  const adminHeaders = await signIn(signInGateway.url, cluster.admin);
  await signInGateway.stop();
  const adminId = String(jwtPayload(adminHeaders.authorization!.slice('Bearer '.length)).sub ?? '');
  const viewer = (userId: string, role: 'USER' | 'ADMIN') => ({ [VIEWER_HEADER]: JSON.stringify({ kind: 'user', userId, role, sessionId: 'bench' }) });
  const products = { query: contractOperation('frontend', 'Products'), catalog: cluster.catalog, clientAddresses };
  return [
    { name: 'Products, one identical request', identical: true, build: () => ({ kind: 'products', ...products, identical: { page: 1, limit: 20, sort: 'NEWEST' } }) },
    { name: 'Products, every request different', identical: false, build: () => ({ kind: 'products', ...products }) },
    {
      name: `Product by a random id (of ${cluster.catalog.products.length})`,
      identical: false,
      build: () => ({ kind: 'product', query: contractOperation('frontend', 'Product'), catalog: cluster.catalog, clientAddresses }),
    },
    {
      name: `Me, ${cluster.shop.shoppers.length} shoppers (cart, orders)`,
      identical: false,
      build: (to) => ({
        kind: 'me',
        query: contractOperation('frontend', 'Me'),
        shoppers: cluster.shop.shoppers.map((shopper, index) => ({ shopper, headers: to === 'ours' ? shopperHeaders[index]! : viewer(shopper.id, 'USER') })),
      }),
    },
    {
      name: 'AllOrders as admin, different filters (three subgraphs)',
      identical: false,
      build: (to) => ({ kind: 'all-orders', query: contractOperation('admin', 'AllOrders'), shop: cluster.shop, headers: to === 'ours' ? adminHeaders : viewer(adminId, 'ADMIN') }),
    },
  ];
}
