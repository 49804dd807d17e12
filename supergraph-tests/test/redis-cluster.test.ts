import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, type CatalogBuilders } from '@shop/catalog/testing';
import { demandControlSchema, parseConfig } from '@shop/config';
import { brokerNames } from '@shop/contracts';
import { closeRedis, connectRedis, firstConnection, type RedisClient } from '@shop/redis';
import { userBuilders } from '@shop/users/testing';
import type { Cluster } from 'ioredis';
import {
  contractOperation,
  errorCodes,
  eventually,
  postGraphQL,
  signedInUser,
  startOwnRedisCluster,
  startTestSupergraph,
  oneTestBackend,
  streamLastSeq,
  untilGatewayUsesRedis,
  type GatewayProcess,
  type OwnRedisCluster,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';

const Products = contractOperation('frontend', 'Products');
const ProductQuery = contractOperation('frontend', 'Product');
const Login = contractOperation('frontend', 'Login');
const UpdateProduct = contractOperation('admin', 'UpdateProduct');

/** Costs 100 (an assumed list of 100 categories); the alias makes each document, and its cache key, a new one. */
const categoryIds = () => `{ c${randomUUID().replaceAll('-', '')}: categories { id } }`;
const ANONYMOUS_BUDGET = 1_000;
const MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5;
/** A shared two-core machine's scheduling noise on top of a request's normal latency (seen up to 160 ms). */
const JITTER_MS = 400;
/**
 * The gateway's Redis command timeout here: well above the noise, so that a read waiting on the
 * lost node even once (one timeout) cannot pass for noise.
 */
const COMMAND_TIMEOUT_MS = 1_000;
const OUTAGE_MS = 2_500;
const READERS = 4;
const PRODUCTION = { NODE_ENV: 'production', TRUST_PROXY: 'true', COST_BUDGET_ANONYMOUS: '1000000000' };
/** Real PostgreSQL when there is one. */
const backend = oneTestBackend();

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let lastAddress = 0;
/** A client address of its own (TEST-NET-3), sent as a load balancer would. */
const newClient = () => ({ 'x-forwarded-for': `203.0.113.${(lastAddress += 1)}` });

type ListedProduct = { id: string; price: { amount: string } };

interface Read {
  ms: number;
  cache: string | null;
  price?: string;
  /** What went wrong, when it was not answered. */
  failure?: string;
}

describe(`the supergraph on a three-node Redis Cluster (${backend})`, () => {
  let cluster: OwnRedisCluster;
  let supergraph: TestSupergraph;
  let build: CatalogBuilders;
  let admin: SignedIn;
  /** A connection of the test's own, to see where the services' keys are. */
  let inspector: RedisClient;
  const keyPrefix = `test:${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    cluster = await startOwnRedisCluster();
    supergraph = await startTestSupergraph(backend, {
      redis: { url: cluster.url, keyPrefix },
      trustProxy: true,
      loginRateLimit: { maxFailuresPerAccountAndClient: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT },
      demandControl: { budgets: { ...parseConfig(demandControlSchema, {}).budgets, anonymous: ANONYMOUS_BUDGET, windowSeconds: 60 } },
    });
    build = catalogBuilders(supergraph.catalog.prisma);
    await untilGatewayUsesRedis(supergraph.gatewayUrl);
    admin = await signedInUser(supergraph, 'ADMIN');
    inspector = connectRedis({ url: cluster.url, commandTimeoutMs: 5_000, connectTimeoutMs: 5_000 });
    // Refused until connected (no offline queue): the first case reads through it at once.
    await firstConnection(inspector, { connectTimeoutMs: 5_000 });
  }, 120_000);
  afterAll(async () => {
    await closeRedis(inspector);
    await supergraph?.stop();
    await cluster?.stop();
  });

  /**
   * Resolves once the gateway has applied every event catalog has written so far. The builders
   * write events beside their rows, not through the gateway: their purges would otherwise land
   * whenever the relay and the consumer get to them, and empty a cache a case has just filled.
   */
  async function eventsApplied(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const until = async (what: string, check: () => Promise<boolean>) => {
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`events not applied within ${timeoutMs} ms: ${what}`);
        await sleep(20);
      }
    };
    const catalogSql = <Row>(sql: string) => supergraph.catalog.prisma.$queryRawUnsafe<Row[]>(sql);
    await until('catalog numbers its outbox', async () => (await catalogSql<{ pending: bigint }>('SELECT count(*) AS pending FROM outbox_events WHERE published_seq IS NULL'))[0]!.pending === 0n);
    const last = Number((await catalogSql<{ last: bigint | null }>('SELECT max(published_seq) AS last FROM outbox_events'))[0]!.last ?? 0);
    const checkpoint = async (position: string) => Number((await inspector.get(`${keyPrefix}cache:feed:${position}`)) ?? 0);
    const { nats } = supergraph;
    if (!nats) return until("the gateway reads catalog's feed", async () => (await checkpoint('catalog')) >= last);
    await until('catalog relays its outbox to the stream', async () => Number((await catalogSql<{ last_seq: bigint }>('SELECT last_seq FROM broker_checkpoints'))[0]?.last_seq ?? 0) >= last);
    const streamLast = await streamLastSeq(nats);
    await until('the gateway reads the stream', async () => (await checkpoint(`broker:${brokerNames(nats).stream}`)) >= streamLast);
  }

  /** Keys under the run's prefix matching `pattern`, by the port of the master node that holds them. */
  async function keysByNode(pattern: string): Promise<Map<number, string[]>> {
    const found = new Map<number, string[]>();
    for (const node of (inspector as Cluster).nodes('master')) {
      let cursor = '0';
      const keys: string[] = [];
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `${keyPrefix}${pattern}`, 'COUNT', 1_000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      if (keys.length > 0) found.set(node.options.port!, keys);
    }
    return found;
  }

  const productsPage = (categoryId: string, limit: number, url = supergraph.gatewayUrl) =>
    postGraphQL<{ products: { items: ListedProduct[] } }>(url, { query: Products, variables: { filter: { categoryId }, limit } });
  const updatePrice = (id: string, amount: string, url = supergraph.gatewayUrl) =>
    postGraphQL(url, { query: UpdateProduct, variables: { id, input: { price: amount } }, headers: admin.headers });

  it('answers a cacheable query with a MISS, then a HIT', async () => {
    const category = await build.category();
    await build.product({ categoryId: category.id, price: '10.00' });
    const first = await productsPage(category.id, 10);
    const second = await productsPage(category.id, 10);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.data).toEqual(first.data);
  });

  it('purges every answer holding a changed product, on whichever node each one lives, before the change answers', async () => {
    const category = await build.category();
    const product = await build.product({ categoryId: category.id, price: '10.00' });
    await eventsApplied();
    // Pages of several sizes: eight answers under eight keys, each holding the product.
    const limits = [1, 2, 3, 4, 5, 6, 7, 8];
    for (const limit of limits) expect((await productsPage(category.id, limit)).headers.get('x-cache')).toBe('MISS');
    for (const limit of limits) expect((await productsPage(category.id, limit)).headers.get('x-cache')).toBe('HIT');
    // The answers (and the tag sets listing them) are spread over the cluster, not kept in one slot.
    expect((await keysByNode('cache:*r:*')).size).toBeGreaterThan(1);

    expect((await updatePrice(product.id, '12.34')).errors).toBeUndefined();
    for (const limit of limits) {
      const page = await productsPage(category.id, limit);
      expect(page.headers.get('x-cache')).toBe('MISS');
      expect(page.data!.products.items.map((item) => item.price.amount)).toEqual(['12.34']);
    }
  });

  it('registers an automatic persisted query on one gateway and runs it by hash alone on another', async () => {
    const product = await build.product();
    const query = `query ClusterApq($id: ID!) { product(id: $id) { id name } } # ${randomUUID()}`;
    const hashOnly = { variables: { id: product.id }, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
    const another = await supergraph.startAnotherGateway();
    await untilGatewayUsesRedis(another.url);
    expect(errorCodes(await supergraph.request(hashOnly))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await supergraph.request({ ...hashOnly, query })).errors).toBeUndefined();
    const elsewhere = await postGraphQL<{ product: { id: string } }>(another.url, hashOnly);
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data!.product.id).toBe(product.id);
  });

  it('counts wrong passwords in the cluster, and refuses the attempt past the limit', async () => {
    const account = await userBuilders(supergraph.users.prisma).user();
    const client = newClient();
    const answers = [];
    for (let attempt = 0; attempt <= MAX_FAILURES_PER_ACCOUNT_AND_CLIENT; attempt++) {
      answers.push(await supergraph.request({ query: Login, variables: { input: { email: account.email, password: 'a wrong password' } }, headers: client }));
    }
    expect(answers.map((answer) => errorCodes(answer)[0])).toEqual([...Array(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    // Counted in the cluster, not in the users subgraph's process.
    expect((await keysByNode('login-failures:*')).size).toBeGreaterThan(0);
  });

  it('spends one cost budget across gateways, and refuses once it is spent', async () => {
    const client = newClient();
    const another = await supergraph.startAnotherGateway();
    await untilGatewayUsesRedis(another.url);
    for (let spent = 100; spent <= ANONYMOUS_BUDGET; spent += 100) {
      const answer = await postGraphQL(spent % 200 === 0 ? supergraph.gatewayUrl : another.url, { query: categoryIds(), headers: client });
      expect(answer.errors).toBeUndefined();
    }
    const refused = await postGraphQL(supergraph.gatewayUrl, { query: categoryIds(), headers: client });
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(errorCodes(await postGraphQL(another.url, { query: categoryIds(), headers: client }))).toEqual(['RATE_LIMITED']);
  });

  describe('when a node is lost', () => {
    let gateway: GatewayProcess;
    let productId: string;
    let categoryId: string;
    /**
     * The slowest uncached read with the cluster whole, under the load the outage case puts on the
     * supergraph (READERS readers and a price change at once): what "normal" means here.
     */
    let normalMs: number;

    const readProduct = async (id = productId): Promise<Read> => {
      const started = performance.now();
      const answer = await postGraphQL<{ product: ListedProduct | null }>(gateway.url, { query: ProductQuery, variables: { id } });
      const ms = performance.now() - started;
      const answered = answer.status === 200 && answer.errors === undefined && (id !== productId || answer.data?.product?.id === id);
      return { ms, cache: answer.headers.get('x-cache'), price: answer.data?.product?.price.amount, failure: answered ? undefined : `${answer.status} ${JSON.stringify(answer.errors)}` };
    };
    const maxOf = (reads: Read[]) => Math.max(...reads.map((read) => read.ms));

    /** READERS clients reading back to back (the product, or what `nextId` names) while `work` runs. */
    async function readsBeside<T>(work: () => Promise<T>, nextId = () => productId): Promise<{ reads: Read[]; result: T }> {
      let stopped = false;
      const reads: Read[] = [];
      const readers = Array.from({ length: READERS }, async () => {
        while (!stopped) reads.push(await readProduct(nextId()));
      });
      try {
        return { reads, result: await work() };
      } finally {
        stopped = true;
        await Promise.all(readers);
      }
    }

    /** Caching works: a MISS that stores, then a HIT, for a product id of its own. Resolves with the time it took to. */
    async function cachingWorks(timeoutMs = 20_000): Promise<number> {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const id = randomUUID();
        if ((await readProduct(id)).cache === 'MISS' && (await readProduct(id)).cache === 'HIT') return Date.now() - started;
        await sleep(50);
      }
      const last = await readProduct(randomUUID());
      throw new Error(`caching did not work within ${timeoutMs} ms: ${JSON.stringify(last)} ${gateway.output().slice(-3000)}`);
    }

    beforeAll(async () => {
      // As production runs it, with production's 150 ms command timeout.
      gateway = await supergraph.startGatewayProcess({ env: { ...PRODUCTION, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) } });
      categoryId = (await build.category()).id;
      productId = (await build.product({ categoryId, price: '20.00' })).id;
      await eventsApplied();
      await cachingWorks();
      const other = await build.product({ price: '30.00' });
      const { reads: misses } = await readsBeside(async () => {
        await updatePrice(other.id, '31.00', gateway.url);
        await sleep(1_000);
      }, randomUUID);
      normalMs = maxOf(misses);
    }, 120_000);

    it('answers every read correctly and at once, bypassing the cache; a change made meanwhile is not lost; caching resumes when the node is back', async () => {
      await readProduct();
      expect((await readProduct()).cache).toBe('HIT');
      // Answers holding the product under several keys: some live on the nodes that stay.
      const pages = [1, 2, 3, 4, 5, 6];
      for (const limit of pages) await productsPage(categoryId, limit, gateway.url);
      await cluster.nodes[0]!.kill();
      // The gateway learns of the loss from its connection's close, a moment after the kill: a
      // read answered before that (from a node that stays, before any change) is correct, not yet a bypass.
      await eventually(async () => expect((await readProduct()).cache).toBe('BYPASS'), 5_000);

      const { reads, result: repriced } = await readsBeside(async () => {
        // Its purge cannot reach the lost node's shards, which may hold the product's answer.
        const answer = await updatePrice(productId, '21.50', gateway.url);
        // Long enough for the other nodes to mark it failed, and refuse every slot (CLUSTERDOWN).
        await sleep(OUTAGE_MS);
        return answer;
      });

      console.info(`Cluster node killed: ${reads.length} reads, slowest ${Math.round(maxOf(reads))} ms (normal ${Math.round(normalMs)} ms)`);
      expect(repriced.errors).toBeUndefined();
      expect(reads.filter((read) => read.failure).map((read) => read.failure)).toEqual([]);
      expect(reads.every((read) => read.cache === 'BYPASS')).toBe(true);
      expect(reads.at(-1)!.price).toBe('21.50');
      // No read waits on the lost node, not even one command timeout: each step asks first whether
      // every master is there (a lost one's commands would wait in its node's offline queue).
      expect(maxOf(reads)).toBeLessThan(normalMs + JITTER_MS);

      await cluster.nodes[0]!.restart();
      await cluster.healthy();
      // The purge it missed is made before the cache is used again: the first answer from it is fresh.
      let afterRestart = await readProduct();
      while (afterRestart.cache === 'BYPASS') afterRestart = await readProduct();
      expect(afterRestart.price).toBe('21.50');
      for (const limit of pages) expect((await productsPage(categoryId, limit, gateway.url)).data!.products.items.map((item) => item.price.amount)).toEqual(['21.50']);
      console.info(`Cluster node restarted: caching resumed after ${await cachingWorks()} ms`);
    }, 60_000);
  });
});
