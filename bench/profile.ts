// npm run bench:profile -- products|product|me|all-orders [--requests=2000] [--concurrency=16] [--gateway-env=NAME=value ...] [--keep-profiles=DIR]
// Where a subgraph's CPU goes on one workload the response cache cannot answer: the three
// subgraphs run as production runs them (bench/processes.ts) with V8's sampling profiler
// loaded (bench/cpu-profile-agent.mjs), and a gateway with its cache off sends them the
// workload's real subgraph requests. A first run, unprofiled, gives each subgraph's and the
// gateway's CPU per request (from /proc); a second one, profiled, the functions and modules
// with the most self time, in CPU ms per request, for each subgraph and for the gateway (whose
// misses are the other half of what a request costs).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { subgraphNames, type SubgraphName } from '@shop/config';
import { contractOperation } from '@shop/testing';
import { TEST_PASSWORD } from '@shop/users/testing';
import { numberArgument, stringArgument, stringArguments } from './arguments.js';
import { profilerNodeOptions, selfTimes, takeProfile, topLines } from './cpu-profile.js';
import { runBench, signIn, startCluster } from './processes.js';
import { between, pick, seededRandom, sorts, type Random, type SeededCatalog } from './workloads.js';

const workloadNames = ['products', 'product', 'me', 'all-orders'] as const;
type WorkloadName = (typeof workloadNames)[number];

const workloadName = process.argv.slice(2).find((arg) => !arg.startsWith('--')) as WorkloadName | undefined;
if (!workloadName || !workloadNames.includes(workloadName)) {
  console.error(`usage: npm run bench:profile -- ${workloadNames.join('|')} [--requests=2000] [--concurrency=16] [--top=25] [--gateway-env=NAME=value ...] [--keep-profiles=DIR]`);
  process.exit(2);
}
const REQUESTS = numberArgument('requests', 2_000);
const CONCURRENCY = numberArgument('concurrency', 16);
const TOP = numberArgument('top', 25);
const WARM_UP = 200;
/** Where to keep each process's profile (`all-orders-users.cpuprofile`, ..., `all-orders-gateway.cpuprofile`) for DevTools; by default they are removed. */
const KEEP_PROFILES = stringArgument('keep-profiles');
/** Configuration for the gateway over the profile's own, to compare a setting (SINGLE_FETCH_PASSTHROUGH=false). */
const GATEWAY_ENV = Object.fromEntries(
  stringArguments('gateway-env').map((setting) => [setting.slice(0, setting.indexOf('=')), setting.slice(setting.indexOf('=') + 1)]),
);
/**
 * Me is asked by this many signed-in shoppers in turn, each with their own cart and orders: one
 * viewer asking 16 times at once would be answered by the gateway's in-flight sharing and
 * cost a fraction of what real traffic costs.
 */
const SHOPPERS = 50;

/** Requests that differ the way real traffic does: another page, search, sort, product, filter. */
function requestFor(name: WorkloadName, catalog: SeededCatalog, random: Random): { query: string; variables?: Record<string, unknown> } {
  switch (name) {
    case 'products': {
      const filter: Record<string, unknown> = {};
      if (random() < 0.5) filter.search = pick(random, catalog.searchTerms);
      if (random() < 0.4) filter.categoryId = pick(random, catalog.categories).id;
      if (random() < 0.3) filter.minPrice = String(between(random, 5, 200));
      return { query: contractOperation('frontend', 'Products'), variables: { filter, page: between(random, 1, 3), limit: 20, sort: pick(random, sorts) } };
    }
    case 'product':
      return { query: contractOperation('frontend', 'Product'), variables: { id: pick(random, catalog.products).id } };
    case 'me':
      return { query: contractOperation('frontend', 'Me') };
    case 'all-orders': {
      const filter: Record<string, unknown> = {};
      if (random() < 0.5) filter.status = pick(random, ['PENDING', 'PAID', 'CANCELLED']);
      if (random() < 0.5) filter.createdAfter = new Date(Date.now() - between(random, 1, 120) * 60_000).toISOString();
      return { query: contractOperation('admin', 'AllOrders'), variables: { filter, page: between(random, 1, 2), limit: 20 } };
    }
  }
}

await runBench('bench:profile', 20, async () => {
  const cluster = await startCluster({ shoppers: workloadName === 'me' ? SHOPPERS : 0 });
  const profiled = await cluster.startSubgraphSet('profiled', { NODE_OPTIONS: profilerNodeOptions });
  const gateway = await cluster.startGateway('gateway', {
    NODE_OPTIONS: profilerNodeOptions,
    RESPONSE_CACHE: 'false',
    USERS_URL: profiled.urls.users,
    CATALOG_URL: profiled.urls.catalog,
    ORDERS_URL: profiled.urls.orders,
    ...Object.fromEntries(['ANONYMOUS', 'USER', 'ADMIN', 'API_KEY'].map((who) => [`COST_BUDGET_${who}`, '1000000000'])),
    ...GATEWAY_ENV,
  });
  const admin = await signIn(gateway.url, cluster.admin);
  // No Accept-Encoding, as `npm run bench`'s load generator and wrk send none: fetch would ask
  // for gzip, and the gateway's profile would be one-tenth compression.
  const post = async (body: unknown, viewer = admin) =>
    (await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'identity', ...viewer }, body: JSON.stringify(body) })).text();
  const shoppers: Array<Record<string, string>> = [];
  for (const shopper of cluster.shop.shoppers) shoppers.push(await signIn(gateway.url, { email: shopper.email, password: TEST_PASSWORD }));
  let turn = 0;
  /** The admin, except for Me: the next shopper. */
  const viewerFor = () => (workloadName === 'me' ? shoppers[turn++ % shoppers.length]! : admin);

  // The admin's own cart and orders: what AllOrders lists.
  for (const product of cluster.catalog.products.slice(0, 30)) {
    const answer = await post({
      query: contractOperation('frontend', 'PlaceOrder'),
      variables: { input: { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: randomUUID() } },
    });
    if (answer.includes('"errors"')) throw new Error(`placing an order failed: ${answer}`);
  }
  for (const product of cluster.catalog.products.slice(30, 33)) await post({ query: contractOperation('frontend', 'AddToCart'), variables: { productId: product.id, quantity: 1 } });

  const random = seededRandom(18);
  let failed = 0;
  let firstFailure = '';
  const drive = async (count: number) => {
    let sent = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < count) {
          sent += 1;
          const answer = await post(requestFor(workloadName, cluster.catalog, random), viewerFor());
          if (answer.includes('"errors"') || !answer.includes('"data"')) {
            failed += 1;
            firstFailure ||= answer.slice(0, 300);
          }
        }
      }),
    );
    return (count / (Date.now() - started)) * 1000;
  };
  await drive(WARM_UP);
  failed = 0;
  const cpuBefore = subgraphNames.map((name) => profiled.subgraphs[name].cpuSeconds());
  const gatewayBefore = gateway.cpuSeconds();
  const rate = await drive(REQUESTS);
  const cpuMs = Object.fromEntries(subgraphNames.map((name, index) => [name, ((profiled.subgraphs[name].cpuSeconds() - cpuBefore[index]!) * 1000) / REQUESTS])) as Record<SubgraphName, number>;
  const gatewayMs = ((gateway.cpuSeconds() - gatewayBefore) * 1000) / REQUESTS;
  console.log(`\n${workloadName}: ${REQUESTS} requests through a gateway with its cache off, ${CONCURRENCY} at a time, ${rate.toFixed(0)} req/s, ${failed} with errors${firstFailure ? ` (first: ${firstFailure})` : ''}`);
  console.log(`CPU per request (from /proc): ${subgraphNames.map((name) => `${name} ${cpuMs[name].toFixed(2)} ms`).join(', ')}, subgraphs ${subgraphNames.reduce((sum, name) => sum + cpuMs[name], 0).toFixed(2)} ms; gateway ${gatewayMs.toFixed(2)} ms`);

  const profiledProcesses = [...subgraphNames.map((name) => ({ name, pid: profiled.subgraphs[name].pid, cpuMs: cpuMs[name] })), { name: 'gateway', pid: gateway.pid, cpuMs: gatewayMs }];
  const toggle = () => profiledProcesses.forEach(({ pid }) => process.kill(pid, 'SIGUSR2'));
  toggle();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await drive(REQUESTS);
  toggle();
  if (KEEP_PROFILES) {
    mkdirSync(KEEP_PROFILES, { recursive: true });
    console.log(`\nProfiles kept in ${KEEP_PROFILES} (open them in Chrome DevTools, Performance)`);
  }
  for (const { name, pid, cpuMs: processCpuMs } of profiledProcesses) {
    const profile = await takeProfile(pid, KEEP_PROFILES && join(KEEP_PROFILES, `${workloadName}-${name}.cpuprofile`));
    if (!profile) {
      console.log(`\n${name}: no profile written`);
      continue;
    }
    const { byFunction, byModule, total } = selfTimes(profile);
    // A subgraph the workload barely reaches has nothing worth listing.
    if (processCpuMs < 0.05) continue;
    const perRequest = (micros: number) => `${(micros / 1000 / REQUESTS).toFixed(3)} ms/req`;
    console.log(`\n${name}: ${(total / 1000 / REQUESTS).toFixed(2)} ms/req sampled on the main thread (profiler on)`);
    console.log(`  by module (self time)\n${topLines(byModule, 15, perRequest)}`);
    console.log(`  by function (self time)\n${topLines(byFunction, TOP, perRequest)}`);
  }
});
