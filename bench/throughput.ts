// npm run bench — this gateway against the gateways a team would otherwise pick, side by
// side in one run on the same subgraphs (real PostgreSQL and Redis): requests per second
// and p50/p99 latency under autocannon for a fixed time, each as a ratio to plain Apollo
// Gateway, the SQL statements one operation costs, and what the query plan cache saves.
// Writes its table to bench/README.md.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import type { Viewer } from '@shop/auth';
import { catalogBuilders } from '@shop/catalog/testing';
import { startGateway } from '@shop/gateway';
import { corsSchema, demandControlSchema, gatewayMetricsSchema, gatewaySchema, operationLimitsSchema, parseConfig, subgraphFetchSchema } from '@shop/config';
import { createLogger } from '@shop/logging';
import { orderBuilders } from '@shop/orders/testing';
import { contractOperation, createTestRedis, partnerWithKey, signedInUser, startTestSupergraph } from '@shop/supergraph-tests';
import { userBuilders } from '@shop/users/testing';
import { startBareServer, startHiveGateway, startPlainApolloGateway, VIEWER_HEADER, type RunningPeer } from './peer-gateways.js';
import { wallTime } from './timing.js';

/** `npm run bench -- --seconds=2` for a quick look; the recorded numbers use the default. */
const DURATION_SECONDS = Number(process.argv.find((arg) => arg.startsWith('--seconds='))?.slice('--seconds='.length) ?? 8);
const CONNECTIONS = 32;
const readmePath = new URL('./README.md', import.meta.url);
const partnerManifest = JSON.parse(readFileSync(new URL('../schema/partner-manifest.json', import.meta.url), 'utf8')) as {
  operations: Array<{ id: string; name: string; body: string }>;
};

// Its own gateway stays idle with no cache: only the gateways under test read the event feeds.
const supergraph = await startTestSupergraph('postgres', { responseCache: false });
const stops: Array<() => Promise<void>> = [() => supergraph.stop()];
const safety = setTimeout(() => {
  console.error('bench: gave up after 15 minutes');
  process.exit(1);
}, 15 * 60_000);
try {
  // Data: a storefront of 200 products in 10 categories, a shopper with a cart and orders,
  // 100 orders by as many users for the admin's AllOrders.
  const catalog = catalogBuilders(supergraph.catalog.prisma);
  const orders = orderBuilders(supergraph.orders.prisma);
  const users = userBuilders(supergraph.users.prisma);
  const categories = await Promise.all(Array.from({ length: 10 }, () => catalog.category()));
  const products: Array<Awaited<ReturnType<typeof catalog.product>>> = [];
  for (let index = 0; index < 200; index++) products.push(await catalog.product({ categoryId: categories[index % 10]!.id, stockQuantity: 10_000_000 }));
  const shopper = await signedInUser(supergraph);
  const admin = await signedInUser(supergraph, 'ADMIN');
  const partner = await partnerWithKey(supergraph);
  for (const product of products.slice(0, 5)) {
    await orders.cartLine(shopper.userId, product.id, 2);
    await orders.order(shopper.userId, [{ productId: product.id, quantity: 1, unitPrice: '10.00' }]);
  }
  for (let index = 0; index < 100; index++) {
    const buyer = await users.user();
    await orders.order(buyer.id, products.slice(index, index + 3).map((product) => ({ productId: product.id, quantity: 1, unitPrice: '10.00' })));
  }

  const viewers: Record<'anonymous' | 'shopper' | 'admin' | 'partner', Viewer> = {
    anonymous: { kind: 'anonymous' },
    shopper: { kind: 'user', userId: shopper.userId, role: 'USER', sessionId: 'bench' },
    admin: { kind: 'user', userId: admin.userId, role: 'ADMIN', sessionId: 'bench' },
    partner: { kind: 'partner', apiKeyId: partner.apiKey.id, ownerId: partner.owner.id, scopes: partner.apiKey.scopes, costBudget: partner.apiKey.costBudget },
  };
  const credentials: Record<keyof typeof viewers, Record<string, string>> = { anonymous: {}, shopper: shopper.headers, admin: admin.headers, partner: partner.headers };
  const partnerCatalog = partnerManifest.operations.find((operation) => operation.name === 'PartnerCatalog')!;

  interface Workload {
    name: string;
    caller: keyof typeof viewers;
    body: Record<string, unknown>;
    /** Sent by persisted id to this gateway; peers, which hold no trusted documents, get the text. */
    persistedId?: string;
    writes?: boolean;
    /** Each request reads the next of the 200 products: what browsing looks like to the gateway. */
    everyProduct?: boolean;
  }
  const workloads: Workload[] = [
    { name: 'Products', caller: 'anonymous', body: { query: contractOperation('frontend', 'Products'), variables: { limit: 20 } } },
    { name: 'Product', caller: 'anonymous', body: { query: contractOperation('frontend', 'Product'), variables: { id: products[7]!.id } } },
    { name: 'Product (200 ids)', caller: 'anonymous', body: { query: contractOperation('frontend', 'Product'), variables: { id: products[7]!.id } }, everyProduct: true },
    { name: 'Me (cart, orders)', caller: 'shopper', body: { query: contractOperation('frontend', 'Me') } },
    { name: 'AllOrders (50)', caller: 'admin', body: { query: contractOperation('admin', 'AllOrders'), variables: { limit: 50 } } },
    { name: 'PartnerCatalog (persisted)', caller: 'partner', body: { query: partnerCatalog.body, variables: { limit: 20 } }, persistedId: partnerCatalog.id },
    {
      name: 'PlaceOrder (writes)',
      caller: 'shopper',
      body: { query: contractOperation('frontend', 'PlaceOrder'), variables: { input: { items: [{ productId: products[0]!.id, quantity: 1 }], idempotencyKey: 'x' } } },
      // Orders spread over 50 products: one hot row would measure its lock, not the gateways.
      writes: true,
    },
  ];

  const gatewayOptions = (enabled: boolean) => ({
    host: '127.0.0.1',
    port: 0,
    subgraphUrls: { users: supergraph.users.url, catalog: supergraph.catalog.url, orders: supergraph.orders.url },
    subgraphFetch: parseConfig(subgraphFetchSchema, {}),
    trustProxy: false,
    production: false,
    cors: parseConfig(corsSchema, {}),
    gatewayKeys: supergraph.gatewayKeys,
    redis: createTestRedis().config,
    responseCache: { enabled, memoryBytes: 64 * 1024 * 1024, eventPollMs: 100, maxAgeWithoutEventsMs: 5_000 },
    nats: supergraph.nats,
    credentialCacheMs: parseConfig(gatewaySchema, {}).credentialCacheMs,
    operationLimits: parseConfig(operationLimitsSchema, {}),
    // Costs are estimated and spent as in production; the budgets are wide enough for one load generator.
    demandControl: parseConfig(demandControlSchema, Object.fromEntries(['ANONYMOUS', 'USER', 'ADMIN', 'API_KEY'].map((who) => [`COST_BUDGET_${who}`, '1000000000']))),
    metrics: parseConfig(gatewayMetricsSchema, { METRICS_PORT: '0' }),
    logger: createLogger('bench-gateway', 'error'),
  });
  const ours = await startGateway(gatewayOptions(true));
  const oursNoCache = await startGateway(gatewayOptions(false));
  const peerOptions = { subgraphUrls: gatewayOptions(false).subgraphUrls, gatewayKeys: supergraph.gatewayKeys };
  const apollo = await startPlainApolloGateway(peerOptions);
  const hive = await startHiveGateway(peerOptions);
  let oursStopped: Promise<void> | undefined;
  const stopOurs = () => (oursStopped ??= ours.stop());
  stops.push(stopOurs, () => oursNoCache.stop(), () => apollo.stop(), () => hive.stop());

  type Mode = 'ours, cache off' | 'ours, cache cold' | 'ours, cache warm' | 'Apollo Gateway' | 'Hive Gateway';
  interface Result {
    rps: number;
    p50: number;
    p99: number;
    errors: number;
    /** Subgraph HTTP requests per gateway request: below one where identical fetches were shared. */
    subgraphRequests: number;
  }
  const subgraphRequestsServed = () => supergraph.users.usage().requests + supergraph.catalog.usage().requests + supergraph.orders.usage().requests;

  function bodyFor(workload: Workload, mode: Mode) {
    const isOurs = mode.startsWith('ours');
    if (isOurs && workload.persistedId) {
      return { variables: workload.body.variables, extensions: { persistedQuery: { version: 1, sha256Hash: workload.persistedId } } };
    }
    return workload.body;
  }

  async function drive(url: string, workload: Workload, mode: Mode): Promise<Result> {
    const isOurs = mode.startsWith('ours');
    const headers = {
      'content-type': 'application/json',
      ...(isOurs ? credentials[workload.caller] : { [VIEWER_HEADER]: JSON.stringify(viewers[workload.caller]) }),
    };
    const base = bodyFor(workload, mode);
    const fixedBody = JSON.stringify(base);
    let counter = 0;
    // Writes need a fresh idempotency key each; a cold cache needs requests it has never seen
    // (an unused variable changes the key, not the work).
    const perRequest =
      workload.writes || workload.everyProduct || mode === 'ours, cache cold'
        ? () => {
            counter += 1;
            const variables = structuredClone((base as { variables?: Record<string, unknown> }).variables ?? {});
            if (workload.writes) {
              variables.input = { items: [{ productId: products[counter % 50]!.id, quantity: 1 }], idempotencyKey: randomUUID() };
            }
            if (workload.everyProduct) variables.id = products[counter % products.length]!.id;
            if (mode === 'ours, cache cold') variables.benchNonce = counter;
            return { body: JSON.stringify({ ...base, variables }) };
          }
        : undefined;
    let errors = 0;
    const subgraphRequestsBefore = subgraphRequestsServed();
    const result = await autocannon({
      url,
      method: 'POST',
      connections: CONNECTIONS,
      duration: DURATION_SECONDS,
      headers,
      body: fixedBody,
      requests: perRequest ? [{ setupRequest: (request) => ({ ...request, ...perRequest() }) }] : undefined,
      setupClient: (client) => {
        client.on('body', (body: Buffer) => {
          if (body.includes('"errors"')) errors += 1;
        });
      },
    });
    errors += result.non2xx;
    const subgraphRequests = (subgraphRequestsServed() - subgraphRequestsBefore) / Math.max(result.requests.total, 1);
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors, subgraphRequests };
  }

  const results = new Map<string, Map<Mode, Result>>();
  const cannon = async (workload: Workload, mode: Mode, url: string) => {
    const result = await drive(url, workload, mode);
    if (!results.has(workload.name)) results.set(workload.name, new Map());
    results.get(workload.name)!.set(mode, result);
    console.log(
      `${workload.name.padEnd(28)} ${mode.padEnd(18)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50.toFixed(1).padStart(6)} ms  p99 ${result.p99.toFixed(1).padStart(6)} ms  ${result.subgraphRequests.toFixed(2).padStart(5)} subgraph req/req${result.errors ? `  (${result.errors} errors)` : ''}`,
    );
  };

  console.log(`Each run: ${CONNECTIONS} connections for ${DURATION_SECONDS} s with autocannon, on ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}`);
  for (const workload of workloads) {
    // One request first on each, so that no run pays for planning and connection set-up.
    for (const [mode, url] of [
      ['ours, cache off', oursNoCache.url],
      ['Apollo Gateway', apollo.url],
      ['Hive Gateway', hive.url],
    ] as const) {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(mode === 'ours, cache off' ? credentials[workload.caller] : { [VIEWER_HEADER]: JSON.stringify(viewers[workload.caller]) }) }, body: JSON.stringify(bodyFor(workload, mode)) });
    }
    await cannon(workload, 'Apollo Gateway', apollo.url);
    await cannon(workload, 'Hive Gateway', hive.url);
    await cannon(workload, 'ours, cache off', oursNoCache.url);
    if (!workload.writes) {
      await cannon(workload, 'ours, cache cold', ours.url);
      await cannon(workload, 'ours, cache warm', ours.url);
    }
  }

  // The cache-hit path against a bare node:http server sending the same bytes.
  const productsWorkload = workloads[0]!;
  const cachedBytes = await (await fetch(ours.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(productsWorkload.body) })).text();
  const bare: RunningPeer = await startBareServer(cachedBytes);
  stops.push(() => bare.stop());
  const bareResult = await drive(bare.url, productsWorkload, 'Apollo Gateway');
  console.log(`${'bare node:http, same bytes'.padEnd(47)} ${bareResult.rps.toFixed(0).padStart(7)} req/s  p50 ${bareResult.p50.toFixed(1)} ms  p99 ${bareResult.p99.toFixed(1)} ms`);

  // SQL statements and subgraph requests of one execution (cache off), and the query plan
  // cache, with no gateway reading event feeds meanwhile.
  await stopOurs();
  const cost: string[] = [];
  for (const workload of workloads) {
    const subgraphs = ['users', 'catalog', 'orders'] as const;
    const before = subgraphs.map((name) => supergraph[name].usage());
    const body = structuredClone(bodyFor(workload, 'ours, cache off')) as { variables?: { input?: { idempotencyKey: string } } };
    if (workload.writes) body.variables!.input!.idempotencyKey = randomUUID();
    await fetch(oursNoCache.url, { method: 'POST', headers: { 'content-type': 'application/json', ...credentials[workload.caller] }, body: JSON.stringify(body) });
    const after = subgraphs.map((name) => supergraph[name].usage());
    const statements = subgraphs.map((name, index) => `${name} ${after[index]!.statements - before[index]!.statements}`).join(', ');
    const requests = subgraphs.reduce((sum, _name, index) => sum + after[index]!.requests - before[index]!.requests, 0);
    cost.push(`| ${workload.name} | ${statements} | ${requests} |`);
  }
  const fresh = await startGateway(gatewayOptions(false));
  stops.push(() => fresh.stop());
  const allOrders = { method: 'POST', headers: { 'content-type': 'application/json', ...admin.headers }, body: JSON.stringify(workloads.find((workload) => workload.name.startsWith('AllOrders'))!.body) };
  const planned = await wallTime(() => fetch(fresh.url, allOrders).then((response) => response.text()));
  const replanned: number[] = [];
  for (let round = 0; round < 20; round++) replanned.push(await wallTime(() => fetch(fresh.url, allOrders).then((response) => response.text())));
  replanned.sort((a, b) => a - b);
  const planHit = replanned[10]!;

  const modes: Mode[] = ['Apollo Gateway', 'Hive Gateway', 'ours, cache off', 'ours, cache cold', 'ours, cache warm'];
  const apolloRps = (name: string) => results.get(name)!.get('Apollo Gateway')!.rps;
  const rows = [...results.entries()].flatMap(([name, byMode]) =>
    modes
      .filter((mode) => byMode.has(mode))
      .map((mode) => {
        const result = byMode.get(mode)!;
        return `| ${name} | ${mode} | ${result.rps.toFixed(0)} | ${(result.rps / apolloRps(name)).toFixed(2)}× | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} | ${result.subgraphRequests.toFixed(2)} |${result.errors ? ` ${result.errors} errors` : ''}`;
      }),
  );
  const warm = results.get('Products')!.get('ours, cache warm')!;
  const section = [
    '<!-- throughput:start -->',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL and Redis on 127.0.0.1; gateways, subgraphs and autocannon share the cores. Each cell: ${CONNECTIONS} connections for ${DURATION_SECONDS} s.`,
    '',
    '| workload | gateway | req/s | vs Apollo Gateway | p50 ms | p99 ms | subgraph requests per request |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Cache-hit path: \`Products\` warm ${warm.rps.toFixed(0)} req/s vs a bare node:http server sending the same bytes ${bareResult.rps.toFixed(0)} req/s: the bare server is ${(bareResult.rps / warm.rps).toFixed(2)}× faster (p50 ${warm.p50.toFixed(1)} vs ${bareResult.p50.toFixed(1)} ms).`,
    '',
    'One execution (cache off): SQL statements per subgraph database and subgraph HTTP requests (fetches and service calls):',
    '',
    '| workload | SQL statements | subgraph requests |',
    '| --- | --- | ---: |',
    ...cost,
    '',
    `Query plan cache (32 MiB): \`AllOrders\` on a fresh gateway ${planned.toFixed(1)} ms (plan built, parse and validate), then ${planHit.toFixed(1)} ms median with the plan cached.`,
    '<!-- throughput:end -->',
  ].join('\n');
  console.log(`\n${section}`);
  const readme = readFileSync(readmePath, 'utf8');
  const updated = /<!-- throughput:start -->[\s\S]*<!-- throughput:end -->/.test(readme)
    ? readme.replace(/<!-- throughput:start -->[\s\S]*<!-- throughput:end -->/, section)
    : `${readme.trimEnd()}\n\n## Throughput against the peers (\`npm run bench\`)\n\n${section}\n`;
  writeFileSync(readmePath, updated);
  console.log('\nWrote bench/README.md');
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  clearTimeout(safety);
}
