import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { demandControlSchema, parseConfig } from '@shop/config';
import { userBuilders } from '@shop/users/testing';
import {
  contractOperation,
  errorCodes,
  persistedRequest,
  postGraphQL,
  sharedRedis,
  signedInUser,
  startTestSupergraph,
  oneTestBackend,
  type GraphQLRequest,
  type GraphQLResponse,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

/** The 125-byte query an outside test used: 4 MB and 5 s of subgraph work per request before demand control. */
const LIST_AMPLIFIED = '{ categories { id products(limit:100) { items { id category { id products(limit:100) { items { id category { id } } } } } } } }';
/** Costs 100: a list of (assumed) 100 categories. */
const CATEGORY_IDS = '{ categories { id } }';
const ANONYMOUS_BUDGET = 2_000;
const WINDOW_SECONDS = 60;

const partnerOperations = new Map(
  (JSON.parse(readFileSync(new URL('../../schema/partner-manifest.json', import.meta.url), 'utf8')) as { operations: Array<{ id: string; name: string }> }).operations.map(
    (operation) => [operation.name, operation.id],
  ),
);

/** A client address of each test's own: anonymous callers are told apart by it (the gateway trusts X-Forwarded-For here). */
let lastAddress = 0;
const newClientAddress = () => ({ 'x-forwarded-for': `203.0.113.${++lastAddress}` });

describe.each([oneTestBackend()])('demand control at the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, {
      responseCache: false,
      trustProxy: true,
      demandControl: { budgets: { ...parseConfig(demandControlSchema, {}).budgets, windowSeconds: WINDOW_SECONDS, anonymous: ANONYMOUS_BUDGET } },
    });
    admin = await signedInUser(supergraph, 'ADMIN');
  });
  afterAll(() => supergraph?.stop());

  const subgraphRequests = () => supergraph.users.usage().requests + supergraph.catalog.usage().requests + supergraph.orders.usage().requests;

  async function withoutSubgraphs(send: () => Promise<GraphQLResponse>): Promise<GraphQLResponse> {
    const before = subgraphRequests();
    const response = await send();
    expect(subgraphRequests()).toBe(before);
    return response;
  }

  const costReport = (request: GraphQLRequest, caller: Record<string, string> = admin.headers) =>
    supergraph.request({ ...request, headers: { ...caller, 'x-cost-report': 'true' } });

  it('refuses the list-amplified query as too expensive before any subgraph sees it', async () => {
    const anonymous = await withoutSubgraphs(() => supergraph.request({ query: LIST_AMPLIFIED, headers: newClientAddress() }));
    expect(anonymous.status).toBe(400);
    expect(errorCodes(anonymous)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    // Against an anonymous caller's whole budget, the smaller of the two bounds.
    expect(anonymous.errors![0]!.extensions!.cost).toEqual({ estimated: expect.any(Number), max: ANONYMOUS_BUDGET });
    const shopper = await signedInUser(supergraph);
    await supergraph.request({ query: '{ __typename }', headers: shopper.headers }); // the credential check, a users request
    const signedIn = await withoutSubgraphs(() => supergraph.request({ query: LIST_AMPLIFIED, headers: shopper.headers }));
    expect(errorCodes(signedIn)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    const { estimated, max } = signedIn.errors![0]!.extensions!.cost as { estimated: number; max: number };
    expect(max).toBe(50_000);
    expect(estimated).toBeGreaterThan(1_000_000);
  });

  it.each([
    ['frontend', 'Products', { limit: 20 }, 62],
    ['frontend', 'Products', { limit: 100 }, 302],
    ['frontend', 'Products', { limit: 100_000 }, 302],
    ['frontend', 'Product', { id: '00000000-0000-4000-8000-000000000000' }, 4],
    ['frontend', 'Me', {}, 4_425],
    ['admin', 'AllOrders', { limit: 100 }, 20_302],
  ] as const)('estimates %s %s with %j at %d, as an admin sees in the cost report', async (file, name, variables, expected) => {
    const response = await costReport({ query: contractOperation(file, name), variables });
    expect(response.errors).toBeUndefined();
    expect(response.headers.get('x-cost-estimated')).toBe(String(expected));
    expect((response as { extensions?: { cost?: unknown } }).extensions?.cost).toEqual({
      estimated: expected,
      max: 50_000,
      mode: 'enforce',
      budget: { capacity: 500_000, remaining: expect.any(Number), resetSeconds: expect.any(Number) },
    });
  });

  it('shows the cost report to admins only', async () => {
    const shopper = await signedInUser(supergraph);
    const response = await costReport({ query: contractOperation('frontend', 'Products'), variables: { limit: 20 } }, shopper.headers);
    expect(response.errors).toBeUndefined();
    expect(response.headers.get('x-cost-estimated')).toBeNull();
    expect((response as { extensions?: unknown }).extensions).toBeUndefined();
  });

  it('spends an anonymous budget per client address and refuses with 429 and Retry-After once it is spent', async () => {
    const client = newClientAddress();
    for (let spent = 100; spent <= ANONYMOUS_BUDGET; spent += 100) {
      const response = await supergraph.request({ query: CATEGORY_IDS, headers: client });
      expect(response.errors).toBeUndefined();
    }
    const refused = await withoutSubgraphs(() => supergraph.request({ query: CATEGORY_IDS, headers: client }));
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBe(retryAfter);
    // Another client, and a signed-in one from the same address, have budgets of their own.
    expect((await supergraph.request({ query: CATEGORY_IDS, headers: newClientAddress() })).errors).toBeUndefined();
    const shopper = await signedInUser(supergraph);
    expect((await supergraph.request({ query: CATEGORY_IDS, headers: { ...client, ...shopper.headers } })).errors).toBeUndefined();
  });

  it('charges refused operations too, and turns a caller whose budget they spent away at the door', async () => {
    const client = newClientAddress();
    const deep = `{ categories { ${'parent { '.repeat(20)}id${' }'.repeat(20)} } }`;
    // Each refusal costs 100: the budget of 2,000 covers 20 of them.
    for (let refused = 1; refused <= ANONYMOUS_BUDGET / 100; refused++) {
      expect(errorCodes(await supergraph.request({ query: deep, headers: client }))).toEqual(['MAX_DEPTH_LIMIT']);
    }
    expect(errorCodes(await supergraph.request({ query: deep, headers: client }))).toEqual(['MAX_DEPTH_LIMIT']);
    // Now spent: even a valid operation is answered 429 before its body is read.
    const turnedAway = await withoutSubgraphs(() => supergraph.request({ query: CATEGORY_IDS, headers: client }));
    expect(turnedAway.status).toBe(429);
    expect(errorCodes(turnedAway)).toEqual(['RATE_LIMITED']);
    expect(Number(turnedAway.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await supergraph.request({ query: CATEGORY_IDS, headers: newClientAddress() })).errors).toBeUndefined();
  });

  it('refuses an operation costing more than the whole budget as too expensive, not as a wait', async () => {
    const response = await withoutSubgraphs(() => supergraph.request({ query: '{ categories { id children { id } } }', headers: newClientAddress() }));
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
  });

  it("holds an API key to the budget an admin gave it, and others to the default", async () => {
    const build = userBuilders(supergraph.users.prisma);
    const owner = await build.user({ role: 'PARTNER' });
    const limited = await build.apiKey(owner.id, { costBudget: 5 });
    const unlimited = await build.apiKey(owner.id);
    const partnerProduct = (key: string) =>
      supergraph.request(persistedRequest(partnerOperations.get('PartnerProduct')!, { id: '00000000-0000-4000-8000-000000000000' }, { 'x-api-key': key }));
    // PartnerProduct costs 2 (a product and its price): two fit in 5, the third does not.
    expect((await partnerProduct(limited.key)).errors).toBeUndefined();
    expect((await partnerProduct(limited.key)).errors).toBeUndefined();
    const refused = await partnerProduct(limited.key);
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect((await partnerProduct(unlimited.key)).errors).toBeUndefined();
  });
});

describe.each([oneTestBackend()])('demand control across production-mode gateway processes (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let gateways: string[];
  const budget = 1_000;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    const env = { NODE_ENV: 'production', TRUST_PROXY: 'true', COST_BUDGET_ANONYMOUS: String(budget), COST_BUDGET_WINDOW_SECONDS: String(WINDOW_SECONDS) };
    gateways = await Promise.all([supergraph.startGatewayProcess({ env }), supergraph.startGatewayProcess({ env })]).then((processes) =>
      processes.map((gateway) => gateway.url),
    );
  });
  afterAll(() => supergraph?.stop());

  // A page of 20 product ids costs 21 (the page and its 20 items); each page number is a new answer, never a cache hit.
  const page = (gateway: string, number: number, client: Record<string, string>) =>
    postGraphQL(gateway, { query: 'query Page($page: Int) { products(page: $page) { items { id } } }', variables: { page: number }, headers: client });

  (sharedRedis ? it : it.skip)('shares one budget between the processes through Redis', async () => {
    const client = newClientAddress();
    const affordable = Math.floor(budget / 21);
    for (let number = 1; number <= affordable; number++) {
      const response = await page(gateways[number % 2]!, number, client);
      expect(response.errors).toBeUndefined();
      // A cached answer costs the subgraphs nothing, and the caller nothing.
      const again = await page(gateways[(number + 1) % 2]!, number, client);
      expect(again.headers.get('x-cache')).toBe('HIT');
    }
    for (const gateway of gateways) {
      const refused = await page(gateway, affordable + 1, client);
      expect(refused.status).toBe(429);
      expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    }
    // Once spent, the caller is turned away before anything else, cached answers included.
    const turnedAway = await page(gateways[1]!, 1, client);
    expect(turnedAway.status).toBe(429);
    expect(turnedAway.headers.get('x-cache')).toBeNull();
  });

  it('answers what it would refuse when in measure mode', async () => {
    const measuring = await supergraph.startGatewayProcess({
      env: { NODE_ENV: 'production', TRUST_PROXY: 'true', COST_MODE: 'measure', COST_MAX: '10', COST_BUDGET_ANONYMOUS: '50' },
    });
    const client = newClientAddress();
    // Each page costs 21, above the maximum of 10; the third overdraws the budget of 50. Pages
    // no other test asks for: the processes share one response cache.
    for (let number = 1_001; number <= 1_003; number++) {
      const response = await page(measuring.url, number, client);
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
      expect(response.headers.get('x-cache')).toBe('MISS');
    }
  });

  it('refuses past a structural limit in production, with no internals', async () => {
    const deep = `{ categories { ${'parent { '.repeat(20)}id${' }'.repeat(20)} } }`;
    for (const gateway of gateways) {
      const response = await postGraphQL(gateway, { query: deep, headers: newClientAddress() });
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toEqual(['MAX_DEPTH_LIMIT']);
      expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|node_modules|at \w+ \(/);
    }
  });
});
