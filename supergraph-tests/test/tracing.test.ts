import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrisma as createCatalogPrisma } from '@shop/catalog';
import { catalogBuilders } from '@shop/catalog/testing';
import { openDatabase, type Database } from '@shop/db';
import {
  contractOperation,
  postGraphQL,
  startSupergraphProcesses,
  startTraceReceiver,
  testBackends,
  type GraphQLRequest,
  type ReceivedSpan,
  type ServiceProcess,
  type SupergraphProcesses,
  type TraceReceiver,
} from '../src/index.js';

/**
 * OpenTelemetry tracing (docs/adr/0023) with every service a production process on real
 * PostgreSQL, exporting OTLP/JSON to a receiver of the test's own: one request is one trace,
 * from the gateway's span through each subgraph's down to each SQL statement.
 */
const describeOnPostgres = testBackends().includes('postgres') ? describe : describe.skip;

/** Each process sends its spans in batches (every 5 s by default), apart from the answers. */
const EXPORT_DEADLINE_MS = 15_000;
const SERVER = 2;
const TRACE_ID = /^[0-9a-f]{32}$/;

/** Waits until `find` returns something, up to the export deadline. */
async function eventually<T>(what: string, find: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + EXPORT_DEADLINE_MS;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`not received in time: ${what}`);
    await delay(100);
  }
}

/** The spans from `span` up to its trace's root, following parent ids across processes. */
function ancestry(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  const chain = [span];
  for (let parent = span.parentSpanId; parent !== null; ) {
    const next = byId.get(parent);
    if (!next) break;
    chain.push(next);
    parent = next.parentSpanId;
  }
  return chain;
}

const accessLineOf = async (service: ServiceProcess, requestId: string) =>
  eventually(`${service.service}'s access line for ${requestId}`, () =>
    service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'request' && line.requestId === requestId && line.path === '/graphql'),
  );

describeOnPostgres('OpenTelemetry traces across the supergraph, each service a production process', () => {
  let receiver: TraceReceiver;
  let supergraph: SupergraphProcesses;
  let catalogDatabase: Database;
  let productId: string;
  let authorization: string;

  const send = (request: GraphQLRequest, requestId: string, headers: Record<string, string> = {}) =>
    postGraphQL(supergraph.gateway.url, { ...request, headers: { 'x-request-id': requestId, authorization, ...headers } });

  beforeAll(async () => {
    receiver = await startTraceReceiver();
    supergraph = await startSupergraphProcesses({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    catalogDatabase = await openDatabase(supergraph.databases.configs.catalog);
    productId = (await catalogBuilders(createCatalogPrisma(catalogDatabase)).product({ stockQuantity: 5 })).id;
    const input = { email: 'traced@example.com', password: 'traced-password-123' };
    const registered = await postGraphQL(supergraph.gateway.url, { query: contractOperation('frontend', 'Register'), variables: { input: { ...input, username: 'traced' } } });
    expect(registered.errors).toBeUndefined();
    const login = await postGraphQL<{ login: { accessToken: string } }>(supergraph.gateway.url, { query: contractOperation('frontend', 'Login'), variables: { input } });
    authorization = `Bearer ${login.data!.login.accessToken}`;
  }, 120_000);
  afterAll(async () => {
    await catalogDatabase?.close();
    await supergraph?.stop();
    await receiver?.stop();
  });

  /** The spans of one trace, once the gateway's and each named subgraph's have arrived with SQL beneath them. */
  const traceOf = (traceId: string, subgraphs: string[]) =>
    eventually(`trace ${traceId} with SQL from ${subgraphs.join(', ')}`, () => {
      const spans = receiver.spans().filter((span) => span.traceId === traceId);
      const complete = subgraphs.every((service) => spans.some((span) => span.service === service && typeof span.attributes['db.query.text'] === 'string'));
      return complete && spans.some((span) => span.service === 'gateway' && span.parentSpanId === null) && spans;
    });

  it('follows Me and placeOrder from the gateway through each subgraph down to each SQL statement, in one trace each', async () => {
    const me = await send({ query: contractOperation('frontend', 'Me') }, 'traced-me');
    const order = await send(
      { query: contractOperation('frontend', 'PlaceOrder'), variables: { input: { items: [{ productId, quantity: 1 }], idempotencyKey: 'traced-order-1' } } },
      'traced-order',
    );
    expect(me.errors).toBeUndefined();
    expect(order.errors).toBeUndefined();
    const cases = [
      { response: me, requestId: 'traced-me', subgraphs: ['users', 'orders'], cache: 'miss' },
      // Orders asks catalog to reserve the stock: a service call that continues the same trace.
      { response: order, requestId: 'traced-order', subgraphs: ['orders', 'catalog'], cache: 'bypass' },
    ];
    for (const { response, requestId, subgraphs, cache } of cases) {
      const traceId = response.headers.get('x-trace-id')!;
      expect(traceId).toMatch(TRACE_ID);
      const spans = await traceOf(traceId, subgraphs);

      const [root, ...otherRoots] = spans.filter((span) => span.parentSpanId === null);
      expect(otherRoots).toEqual([]);
      expect(root).toMatchObject({ service: 'gateway', kind: SERVER, name: 'POST /graphql' });
      expect(root!.attributes).toMatchObject({ 'http.response.status_code': 200, 'shop.request_id': requestId });
      const gatewaySpan = (name: string) => spans.find((span) => span.service === 'gateway' && span.name === name);
      for (const name of ['graphql.parse', 'graphql.validate', 'gateway.demand_control', 'gateway.response_cache', 'gateway.plan', 'gateway.fetch']) {
        expect(gatewaySpan(name) && ancestry(gatewaySpan(name)!, spans).at(-1)).toBe(root);
      }
      expect(gatewaySpan('gateway.response_cache')!.attributes['cache.result']).toBe(cache);
      expect(gatewaySpan('gateway.demand_control')!.attributes['graphql.cost.estimated']).toEqual(expect.any(Number));

      for (const service of subgraphs) {
        const statements = spans.filter((span) => span.service === service && typeof span.attributes['db.query.text'] === 'string');
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements) {
          const chain = ancestry(statement, spans);
          // SQL → the subgraph's server span → the gateway's fetch (over HTTP, another process) → … → the gateway's request.
          const server = chain.find((span) => span.kind === SERVER)!;
          expect(server).toMatchObject({ service, name: expect.stringMatching(/^POST \//) });
          expect(chain.at(-1)).toBe(root);
          expect(chain.slice(chain.indexOf(server) + 1).some((span) => span.service !== service)).toBe(true);
        }
      }
      // The same trace id in the access line of the gateway and of each subgraph that served the request.
      for (const service of [supergraph.gateway, ...subgraphs.map((name) => supergraph[name as 'users' | 'orders' | 'catalog'])]) {
        expect(await accessLineOf(service, requestId)).toMatchObject({ traceId });
      }
    }
    expect(me.headers.get('x-trace-id')).not.toBe(order.headers.get('x-trace-id'));
  });

  it('follows a query that passed through without Apollo\'s executor (docs/adr/0048) from the gateway down to its SQL', async () => {
    const productPage = (id: string) => ({ query: contractOperation('frontend', 'Product'), variables: { id } });
    // The first run plans the operation; the second, another product (not a cache hit), passes through.
    expect((await send(productPage(productId), 'traced-product-planned')).errors).toBeUndefined();
    const another = await catalogBuilders(createCatalogPrisma(catalogDatabase)).product();
    const passed = await send(productPage(another.id), 'traced-product-passed');
    expect(passed.errors).toBeUndefined();
    const spans = await traceOf(passed.headers.get('x-trace-id')!, ['catalog']);
    const root = spans.find((span) => span.parentSpanId === null)!;
    const gatewaySpans = spans.filter((span) => span.service === 'gateway').map((span) => span.name);
    expect(gatewaySpans).toEqual(expect.arrayContaining(['gateway.demand_control', 'gateway.response_cache', 'gateway.fetch']));
    // Apollo's executor did not run: none of its spans.
    for (const name of ['gateway.request', 'gateway.execute', 'gateway.postprocessing']) expect(gatewaySpans).not.toContain(name);
    const fetch = spans.find((span) => span.service === 'gateway' && span.name === 'gateway.fetch')!;
    expect(ancestry(fetch, spans).at(-1)).toBe(root);
    const statement = spans.find((span) => span.service === 'catalog' && typeof span.attributes['db.query.text'] === 'string')!;
    expect(ancestry(statement, spans)).toContain(fetch);
  });

  it("begins a trace of its own for a client that sends a traceparent, and only links the client's", async () => {
    const clientTrace = 'ab'.repeat(16);
    const clientSpan = 'cd'.repeat(8);
    const response = await send({ query: contractOperation('frontend', 'Me') }, 'traced-client-parent', { traceparent: `00-${clientTrace}-${clientSpan}-01` });
    const traceId = response.headers.get('x-trace-id')!;
    expect(traceId).toMatch(TRACE_ID);
    expect(traceId).not.toBe(clientTrace);
    const root = await eventually('the gateway span of a request with a traceparent', () =>
      receiver.spans().find((span) => span.traceId === traceId && span.parentSpanId === null),
    );
    expect(root.links).toEqual([{ traceId: clientTrace, spanId: clientSpan }]);
    expect(receiver.spans().filter((span) => span.traceId === clientTrace)).toEqual([]);
  });

  it('with tracing off (no endpoint), answers no trace id, logs none and hands no trace to the subgraphs', async () => {
    const env = supergraph.envOf('gateway');
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const untraced = await supergraph.start('gateway', env);
    const response = await postGraphQL(untraced.url, { query: contractOperation('frontend', 'Product'), variables: { id: productId }, headers: { 'x-request-id': 'untraced-1' } });
    expect(response.errors).toBeUndefined();
    expect(response.headers.get('x-trace-id')).toBeNull();
    const line = await accessLineOf(untraced, 'untraced-1');
    expect(line).not.toHaveProperty('traceId');
    await untraced.stop();
    // Catalog traces on its own: with no traceparent from the gateway, its span begins a trace.
    const catalogSpan = await eventually("catalog's span for the untraced request", () =>
      receiver.spans().find((span) => span.service === 'catalog' && span.kind === SERVER && span.attributes['shop.request_id'] === 'untraced-1'),
    );
    expect(catalogSpan.parentSpanId).toBeNull();
    expect(receiver.spans().filter((span) => span.traceId === catalogSpan.traceId && span.service === 'gateway')).toEqual([]);
  });
});
