import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import {
  contractOperation,
  dropTestStream,
  freePort,
  natsAvailable,
  natsVariables,
  postGraphQL,
  signedInUser,
  startSupergraphProcesses,
  startTestSupergraph,
  testNatsConfig,
  type SignedIn,
  type SupergraphProcesses,
  type TestSupergraph,
} from '../src/index.js';

const ProductQuery = contractOperation('frontend', 'Product');
/** Prometheus's own checker (Debian's prometheus package), when installed. */
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const UpdateProduct = contractOperation('admin', 'UpdateProduct');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (version 0.0.4): `name{label="value",...} number` per line. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of match[2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

class Scrape {
  constructor(readonly samples: Sample[]) {}

  /** The sum of the samples of `name` whose labels include `labels`. */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((sum, sample) => sum + sample.value, 0);
  }

  matching(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  }
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Scrape(parseExposition(await response.text()));
}

describe('Prometheus metrics of the gateway, after real traffic', () => {
  let supergraph: TestSupergraph;
  let admin: SignedIn;
  let productId: string;
  const metricsUrl = () => supergraph.gateway.metricsUrl;
  const client = { 'apollographql-client-name': 'storefront', 'apollographql-client-version': '1.2.3' };
  const readProduct = () => postGraphQL(supergraph.gatewayUrl, { query: ProductQuery, variables: { id: productId }, headers: client });

  beforeAll(async () => {
    supergraph = await startTestSupergraph('postgres');
    admin = await signedInUser(supergraph, 'ADMIN');
    productId = (await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 3 })).id;
  }, 60_000);
  afterAll(() => supergraph?.stop());

  it('counts a cached read: one miss then one hit, by operation and client, with durations and subgraph fetches', async () => {
    const before = await scrape(metricsUrl());
    const requests = { operation: 'Product', client: 'storefront', client_version: '1.2.3', outcome: 'ok' };
    expect((await readProduct()).headers.get('x-cache')).toBe('MISS');
    expect((await readProduct()).headers.get('x-cache')).toBe('HIT');
    const after = await scrape(metricsUrl());

    expect(after.value('graphql_requests_total', requests) - before.value('graphql_requests_total', requests)).toBe(2);
    const durations = { operation: 'Product', client: 'storefront', outcome: 'ok' };
    expect(after.value('graphql_request_duration_seconds_count', durations) - before.value('graphql_request_duration_seconds_count', durations)).toBe(2);
    expect(after.value('gateway_response_cache_requests_total', { result: 'miss' }) - before.value('gateway_response_cache_requests_total', { result: 'miss' })).toBe(1);
    expect(after.value('gateway_response_cache_requests_total', { result: 'hit' }) - before.value('gateway_response_cache_requests_total', { result: 'hit' })).toBe(1);
    // The miss fetched from catalog; the hit fetched nothing.
    const fetched = { subgraph: 'catalog', outcome: 'ok' };
    expect(after.value('gateway_subgraph_fetches_total', fetched) - before.value('gateway_subgraph_fetches_total', fetched)).toBe(1);
    expect(after.value('gateway_subgraph_fetch_duration_seconds_count', fetched) - before.value('gateway_subgraph_fetch_duration_seconds_count', fetched)).toBe(1);
    expect(after.value('graphql_estimated_cost_count') - before.value('graphql_estimated_cost_count')).toBe(1);
  });

  it('counts a purge when a mutation changes what the cache holds', async () => {
    const before = await scrape(metricsUrl());
    const updated = await postGraphQL(supergraph.gatewayUrl, { query: UpdateProduct, variables: { id: productId, input: { name: 'Renamed' } }, headers: admin.headers });
    expect(updated.errors).toBeUndefined();
    const after = await scrape(metricsUrl());
    expect(after.value('gateway_response_cache_purges_total') - before.value('gateway_response_cache_purges_total')).toBeGreaterThanOrEqual(1);
    expect(after.value('graphql_requests_total', { operation: 'UpdateProduct', outcome: 'ok' }) - before.value('graphql_requests_total', { operation: 'UpdateProduct', outcome: 'ok' })).toBe(1);
  });

  it('counts a refused hostile operation under its code', async () => {
    const before = await scrape(metricsUrl());
    const aliases = Array.from({ length: 40 }, (_, index) => `a${index}: id`).join(' ');
    const refused = await postGraphQL(supergraph.gatewayUrl, { query: `query Hostile { products { items { ${aliases} } } }`, operationName: 'Hostile' });
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions?.code).toBe('MAX_ALIASES_LIMIT');
    const after = await scrape(metricsUrl());
    expect(after.value('graphql_refusals_total', { code: 'MAX_ALIASES_LIMIT' }) - before.value('graphql_refusals_total', { code: 'MAX_ALIASES_LIMIT' })).toBe(1);
    // Not a contract or trusted operation: its name is no label value.
    const counted = { operation: 'other', outcome: 'MAX_ALIASES_LIMIT' };
    expect(after.value('graphql_requests_total', counted) - before.value('graphql_requests_total', counted)).toBe(1);
    expect(after.matching('graphql_requests_total', { operation: 'Hostile' })).toEqual([]);
  });

  it('keeps the series bounded: 1,000 unknown operation names and client names add a bounded number', async () => {
    const before = await scrape(metricsUrl());
    const junk = await postGraphQL(supergraph.gatewayUrl, { query: 'query Junk { __typename }', headers: { 'apollographql-client-name': '<script>alert(1)</script>' } });
    expect(junk.errors).toBeUndefined();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, index) => {
          const n = batch * 50 + index;
          return postGraphQL(supergraph.gatewayUrl, { query: `query Probe${n} { __typename }`, headers: { 'apollographql-client-name': `client-${n}` } });
        }),
      );
    }
    const after = await scrape(metricsUrl());
    expect(after.value('graphql_requests_total', { operation: 'other', client: 'other' }) - before.value('graphql_requests_total', { operation: 'other', client: 'other' })).toBeGreaterThanOrEqual(980);
    const series = after.matching('graphql_requests_total');
    const clients = new Set(series.map((sample) => sample.labels.client));
    // The default METRICS_MAX_CLIENT_NAMES (20) first seen, `none` and `other`.
    expect(clients.size).toBeLessThanOrEqual(22);
    expect(clients.has('<script>alert(1)</script>')).toBe(false);
    expect(series.some((sample) => /^Probe\d+$/.test(sample.labels.operation!))).toBe(false);
    expect(after.matching('graphql_request_duration_seconds_bucket').length).toBeLessThan(400);
  }, 60_000);

  it('reports each circuit, the event feeds read, and Node process metrics', async () => {
    const now = await scrape(metricsUrl());
    for (const subgraph of ['users', 'catalog', 'orders']) expect(now.matching('gateway_subgraph_circuit_state', { subgraph })).toEqual([expect.objectContaining({ value: 0 })]);
    // Through the broker when there is one (docs/adr/0030), each subgraph's HTTP feed otherwise.
    for (const feed of supergraph.nats ? ['broker'] : ['catalog', 'orders']) {
      expect(now.value('gateway_cache_event_feed_lag_seconds', { feed })).toBe(0);
      expect(now.value('gateway_cache_event_feed_last_read_timestamp_seconds', { feed })).toBeGreaterThan(Date.now() / 1000 - 60);
    }
    expect(now.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(now.matching('nodejs_eventloop_lag_seconds')).toHaveLength(1);
  });

  (hasPromtool ? it : it.skip)('is valid exposition text to promtool check metrics', async () => {
    const text = await (await fetch(metricsUrl())).text();
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
    // Its only lint complaints are about prom-client's own nodejs_active_* gauges; a parse error fails with status 1.
    const complaints = `${checked.stdout}${checked.stderr}`.split('\n').filter((line) => line !== '');
    expect(complaints.filter((line) => !/^nodejs_active_\w+ non-counter metrics should not have "_total" suffix$/.test(line))).toEqual([]);
    expect([0, 3]).toContain(checked.status);
  });

  it('serves the same metrics on the main port outside production', async () => {
    const main = await scrape(new URL('/metrics', supergraph.gatewayUrl).href);
    expect(main.matching('graphql_requests_total').length).toBeGreaterThan(0);
  });

  it('counts a fetch of a subgraph that is down as unavailable', async () => {
    const unseen = (await catalogBuilders(supergraph.catalog.prisma).product()).id;
    await supergraph.crash('catalog');
    try {
      const before = await scrape(metricsUrl());
      const answer = await postGraphQL(supergraph.gatewayUrl, { query: ProductQuery, variables: { id: unseen } });
      expect(answer.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
      const after = await scrape(metricsUrl());
      const failed = { subgraph: 'catalog', outcome: 'unavailable' };
      expect(after.value('gateway_subgraph_fetches_total', failed) - before.value('gateway_subgraph_fetches_total', failed)).toBe(1);
      const counted = { operation: 'Product', outcome: 'SUBGRAPH_UNAVAILABLE' };
      expect(after.value('graphql_requests_total', counted) - before.value('graphql_requests_total', counted)).toBe(1);
    } finally {
      await supergraph.restart('catalog');
    }
  });
});

describe('metrics in production (every service a process of its own)', () => {
  const TOKEN = 'metrics-token-for-this-test-only';
  let processes: SupergraphProcesses;
  let gatewayMetricsPort: number;
  let catalogMetricsPort: number;
  // With NATS, on a stream of the test's own: catalog's relay reports on its metrics port too.
  const nats = natsAvailable ? testNatsConfig() : null;

  beforeAll(async () => {
    [gatewayMetricsPort, catalogMetricsPort] = [await freePort(), await freePort()];
    processes = await startSupergraphProcesses({
      env: nats ? natsVariables(nats) : {},
      envOf: {
        gateway: { METRICS_PORT: String(gatewayMetricsPort), METRICS_TOKEN: TOKEN },
        catalog: { CATALOG_METRICS_PORT: String(catalogMetricsPort) },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await processes?.stop();
    if (nats) await dropTestStream(nats);
  }, 30_000);

  it('is not served on the public port', async () => {
    for (const service of [processes.gateway, processes.catalog]) {
      const response = await fetch(new URL('/metrics', service.url));
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('graphql_requests_total');
    }
  });

  it('is served on the metrics port, to a scrape with the token only', async () => {
    const url = `http://127.0.0.1:${gatewayMetricsPort}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-at-all-no' } })).status).toBe(401);
    await postGraphQL(processes.gateway.url, { query: '{ __typename }' });
    const scraped = await scrape(url, { authorization: `Bearer ${TOKEN}` });
    expect(scraped.value('graphql_requests_total', { operation: 'none', client: 'none', outcome: 'ok' })).toBe(1);
  });

  it("reports a subgraph's PostgreSQL pool on its metrics port", async () => {
    const scraped = await scrape(`http://127.0.0.1:${catalogMetricsPort}/metrics`);
    expect(scraped.value('db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(scraped.matching('db_pool_connections', { state: 'waiting' })).toEqual([expect.objectContaining({ value: 0 })]);
    expect(scraped.value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  (nats ? it : it.skip)("reports a subgraph's relay to NATS on its metrics port: nothing waiting, nothing failed", async () => {
    const scraped = await scrape(`http://127.0.0.1:${catalogMetricsPort}/metrics`);
    expect(scraped.matching('events_relay_backlog_events')).toEqual([expect.objectContaining({ labels: { source: 'catalog' }, value: 0 })]);
    expect(scraped.matching('events_relay_oldest_waiting_seconds')).toEqual([expect.objectContaining({ labels: { source: 'catalog' }, value: 0 })]);
    expect(scraped.value('events_relay_failures_total')).toBe(0);
  });
});
