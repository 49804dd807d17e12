import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import type { NatsConfig } from '@shop/config';
import { brokerNames } from '@shop/contracts';
import { brokerBacklog, type RawSqlClient } from '@shop/db';
import { asGatewayTo, personViewer } from '@shop/testing/subgraph';
import {
  contractOperation,
  natsAvailable,
  oneTestBackend,
  placeOrder,
  postGraphQL,
  readTestStream,
  signedInUser,
  startOwnNats,
  startTestSupergraph,
  testNatsConfig,
  type GatewayProcess,
  type OwnNats,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

const ProductQuery = contractOperation('frontend', 'Product');
const UpdateProduct = contractOperation('admin', 'UpdateProduct');

/** CACHE_MAX_AGE_WITHOUT_EVENTS_SECONDS of both gateways: the oldest answer served while the stream is not read. */
const MAX_AGE_WITHOUT_EVENTS_S = 2;
/** The public max-age of a product (catalog's @cacheControl): how long an answer may live when events are current. */
const PRODUCT_MAX_AGE_S = 60;
/** Production, with a budget for the test's reads. */
const PRODUCTION = { NODE_ENV: 'production', COST_BUDGET_ANONYMOUS: '1000000000', CACHE_MAX_AGE_WITHOUT_EVENTS_SECONDS: String(MAX_AGE_WITHOUT_EVENTS_S) };
const backend = oneTestBackend();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Readiness {
  status: number;
  body: { status: string; checks: { events?: { source: string; state: string } } };
}

interface Read {
  status: number;
  errors: unknown;
  cache: string | null;
  /** Seconds since the answer was stored (a hit's Age header). */
  age: number;
  price: string | undefined;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}: last ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

/**
 * The supergraph on a NATS server of the test's own, stopped and started again by PID (docs/adr/0034):
 * the gateways read their invalidations from it, catalog and orders relay their outboxes to it.
 */
(natsAvailable && backend === 'postgres' ? describe : describe.skip)('the supergraph while its NATS is away', () => {
  let own: OwnNats;
  /** Set while the test has NATS killed. */
  let natsDown = false;
  let nats: NatsConfig;
  let supergraph: TestSupergraph;
  /** A gateway in a process of its own, started while NATS was down. */
  let latecomer: GatewayProcess;
  let admin: SignedIn;
  let shopper: SignedIn;
  const products: string[] = [];

  beforeAll(async () => {
    own = await startOwnNats();
    nats = testNatsConfig(own.url);
    supergraph = await startTestSupergraph(backend, { nats, cacheMaxAgeWithoutEventsMs: MAX_AGE_WITHOUT_EVENTS_S * 1000 });
    [admin, shopper] = await Promise.all([signedInUser(supergraph, 'ADMIN'), signedInUser(supergraph)]);
    const build = catalogBuilders(supergraph.catalog.prisma);
    for (let index = 0; index < 3; index += 1) products.push((await build.product({ price: '10.00', stockQuantity: 50 })).id);
  }, 120_000);
  afterAll(async () => {
    try {
      await latecomer?.stop();
      // A failing case may have left NATS killed: the supergraph drops its stream there.
      if (natsDown) await own.restart().catch(() => undefined);
      await supergraph?.stop();
    } finally {
      await own?.stop();
    }
  }, 60_000);

  const readiness = async (url: string): Promise<Readiness> => {
    const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: (await response.json()) as Readiness['body'] };
  };
  const eventsState = (url: string, state: string) =>
    until(`${url} reads events: ${state}`, () => readiness(url), ({ body }) => body.checks.events?.state === state);
  const readProduct = async (id: string, url = supergraph.gatewayUrl): Promise<Read> => {
    const answer = await postGraphQL<{ product: { price: { amount: string } } | null }>(url, { query: ProductQuery, variables: { id } });
    return {
      status: answer.status,
      errors: answer.errors,
      cache: answer.headers.get('x-cache'),
      age: Number(answer.headers.get('age') ?? 0),
      price: answer.data?.product?.price.amount,
    };
  };
  /** A change made in catalog itself, not through a gateway: gateways learn of it from the stream only. */
  const repriceInCatalog = async (id: string, price: string) => {
    const send = asGatewayTo('catalog', { url: supergraph.catalog.url, keys: supergraph.gatewayKeys });
    const updated = await send({ query: 'mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }', variables: { id, input: { price } } }, personViewer('ADMIN'));
    expect(updated.errors).toBeUndefined();
  };
  const backlogOf = (subgraph: 'catalog' | 'orders') => brokerBacklog(supergraph[subgraph].prisma as unknown as RawSqlClient, brokerNames(nats).stream);
  /** A gateway's count of events it read from the stream and applied. */
  const appliedFrom = async (metricsUrl: string) =>
    Number(/^gateway_cache_events_applied_total\{feed="broker"\} (\d+)/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
  const metricsUrlOf = (gateway: GatewayProcess) => /"url":"(http:[^"]+\/metrics)"/.exec(gateway.output())![1]!;

  it('reads its invalidations from the stream while NATS is up', async () => {
    await eventsState(supergraph.gatewayUrl, 'current');
    const [id] = products;
    expect((await readProduct(id!)).cache).toBe('MISS');
    expect((await readProduct(id!)).cache).toBe('HIT');
    await repriceInCatalog(id!, '11.00');
    const fresh = await until('the change is purged', () => readProduct(id!), (read) => read.price === '11.00', 10_000);
    expect(fresh.status).toBe(200);
  });

  it('with NATS killed: stays ready and says so, serves every read, none older than the bound, caches anew; a gateway started meanwhile starts and serves; mutations go on', async () => {
    const [id] = products;
    const cached = await until('the product is cached', () => readProduct(id!), (read) => read.cache === 'HIT');
    expect(cached.price).toBe('11.00');
    await own.kill();
    natsDown = true;
    const away = await eventsState(supergraph.gatewayUrl, 'away');
    expect(away).toEqual({ status: 200, body: { status: 'ready', checks: expect.objectContaining({ events: { source: 'broker', state: 'away' } }) } });

    // Catalog changes on: the gateway cannot learn of it, but serves nothing older than the bound.
    await repriceInCatalog(id!, '12.00');
    await until('its event waits in the outbox', () => backlogOf('catalog'), (backlog) => backlog.events > 0, 5_000);
    const reads: Read[] = [];
    await until('the change is served', async () => {
      reads.push(await readProduct(id!));
      return reads.at(-1)!;
    }, (read) => read.price === '12.00', 15_000);
    expect(reads.filter((read) => read.status !== 200 || read.errors !== undefined)).toEqual([]);
    expect(reads.filter((read) => read.cache === 'HIT' && read.age > MAX_AGE_WITHOUT_EVENTS_S)).toEqual([]);
    // The cache still serves what it computed since: fresh answers, for a short while.
    const again = await readProduct(id!);
    expect([again.cache, again.price]).toEqual(['HIT', '12.00']);
    expect(again.age).toBeLessThanOrEqual(MAX_AGE_WITHOUT_EVENTS_S);
    await sleep((MAX_AGE_WITHOUT_EVENTS_S + 1) * 1000);
    expect((await readProduct(id!)).cache).toBe('MISS');

    // A gateway configured with the dead NATS starts, is ready, and serves.
    latecomer = await supergraph.startGatewayProcess({ env: PRODUCTION });
    const latecomerReady = await eventsState(latecomer.url, 'away');
    expect(latecomerReady.status).toBe(200);
    expect(await readProduct(id!, latecomer.url)).toMatchObject({ status: 200, errors: undefined, price: '12.00' });

    // Writes go on: their events wait in the subgraphs' outboxes.
    for (const [index, product] of products.entries()) {
      const updated = await postGraphQL(supergraph.gatewayUrl, { query: UpdateProduct, variables: { id: product, input: { price: `${20 + index}.00` } }, headers: admin.headers });
      expect(updated.errors).toBeUndefined();
    }
    for (let order = 0; order < 3; order += 1) {
      const placed = await placeOrder(supergraph, shopper, [{ productId: products[order]!, quantity: 1 }]);
      expect(placed.errors).toBeUndefined();
    }
    await until('their events wait in the outboxes', () => Promise.all([backlogOf('catalog'), backlogOf('orders')]), ([catalog, orders]) => catalog.events > 3 && orders.events >= 3, 5_000);
  }, 90_000);

  it('with NATS back: the outboxes kept meanwhile are published, none lost or repeated, and both gateways apply purges again', async () => {
    const appliedBefore = await appliedFrom(supergraph.gateway.metricsUrl);
    await own.restart();
    natsDown = false;
    await until('the outboxes are relayed', async () => [(await backlogOf('catalog')).events, (await backlogOf('orders')).events], (waiting) => waiting.every((count) => count === 0), 30_000);

    // The stream holds each publisher's events once, in its outbox's order.
    const stream = await readTestStream(nats);
    expect(new Set(stream.map((event) => event.id)).size).toBe(stream.length);
    for (const subgraph of ['catalog', 'orders'] as const) {
      const outbox = await (supergraph[subgraph].prisma as unknown as RawSqlClient).$queryRawUnsafe<Array<{ id: string }>>(
        'SELECT event_id::text AS id FROM outbox_events WHERE published_seq IS NOT NULL ORDER BY published_seq',
      );
      expect(stream.filter((event) => event.source === subgraph).map((event) => event.id)).toEqual(outbox.map((event) => event.id));
    }

    await eventsState(supergraph.gatewayUrl, 'current');
    await eventsState(latecomer.url, 'current');
    expect(await appliedFrom(supergraph.gateway.metricsUrl)).toBeGreaterThan(appliedBefore);
    expect(await appliedFrom(metricsUrlOf(latecomer))).toBeGreaterThan(0);

    // Current again, answers live their max-age: older than the outage's bound, still served...
    const id = products[1]!;
    const old = await until('an answer older than the bound is served', () => readProduct(id), (read) => read.cache === 'HIT' && read.age > MAX_AGE_WITHOUT_EVENTS_S, 15_000);
    expect(old.price).toBe('21.00');
    // ...until a change made past every gateway purges it, well within that max-age, on both
    // (each reads it from the stream: they may share a Redis, so each one's count tells).
    const applied = await Promise.all([appliedFrom(supergraph.gateway.metricsUrl), appliedFrom(metricsUrlOf(latecomer))]);
    const changed = Date.now();
    await repriceInCatalog(id, '33.00');
    for (const url of [supergraph.gatewayUrl, latecomer.url]) {
      const fresh = await until(`${url} serves the change`, () => readProduct(id, url), (read) => read.price === '33.00', 15_000);
      expect(fresh.status).toBe(200);
    }
    expect(Date.now() - changed).toBeLessThan(PRODUCT_MAX_AGE_S * 1000);
    await until(
      'both gateways applied the change',
      () => Promise.all([appliedFrom(supergraph.gateway.metricsUrl), appliedFrom(metricsUrlOf(latecomer))]),
      (counts) => counts.every((count, index) => count > applied[index]!),
    );
  }, 90_000);
});
