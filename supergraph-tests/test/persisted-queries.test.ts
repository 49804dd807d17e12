import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, type CatalogBuilders } from '@shop/catalog/testing';
import { partnerManifestPath } from '@shop/gateway';
import {
  contractOperation,
  errorCodes,
  partnerWithKey,
  persistedRequest,
  postGraphQL,
  sharedRedis,
  signedInUser,
  startTestSupergraph,
  TEST_SYNC_SETTLE_MS,
  testBackends,
  untilGatewayUsesRedis,
  type TestSupergraph,
} from '../src/index.js';
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(partnerManifestPath, 'utf8')) as { operations: Array<{ id: string; name: string; body: string }> };
const trusted = (name: string) => manifest.operations.find((operation) => operation.name === name)!;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const apq = (hash: string, query?: string, headers?: Record<string, string>) => ({
  query,
  headers,
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

describe.each(testBackends())('persisted queries through the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let productId: string;
  let build: CatalogBuilders;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = catalogBuilders(supergraph.catalog.prisma);
    productId = (await build.product({ stockQuantity: 7 })).id;
  });
  afterAll(() => supergraph?.stop());

  describe('trusted documents for partners', () => {
    it('runs a registered operation by its id, with the partner’s scopes', async () => {
      const partner = await partnerWithKey(supergraph);
      const response = await supergraph.request<{ product: { id: string; stockQuantity: number } }>(
        persistedRequest(trusted('PartnerProduct').id, { id: productId }, partner.headers),
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.product).toMatchObject({ id: productId, stockQuantity: 7 });
    });

    it('refuses the same key sending the same operation as free text', async () => {
      const partner = await partnerWithKey(supergraph);
      const response = await supergraph.request({ query: trusted('PartnerProduct').body, variables: { id: productId }, headers: partner.headers });
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(response.data ?? null).toBeNull();
    });

    it('refuses text sent together with a trusted id (a key may not register operations)', async () => {
      const partner = await partnerWithKey(supergraph);
      const text = trusted('PartnerProduct').body;
      const response = await supergraph.request(apq(trusted('PartnerProduct').id, text, partner.headers));
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    });

    it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND', async () => {
      const partner = await partnerWithKey(supergraph);
      const response = await supergraph.request(persistedRequest(sha256('query Nope { __typename }'), {}, partner.headers));
      expect(errorCodes(response)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    });

    it('refuses a query a frontend registered, when a partner runs it by id', async () => {
      const query = 'query PartnerSneaks { categories { id } }';
      const registered = await supergraph.request(apq(sha256(query), query));
      expect(registered.errors).toBeUndefined();
      const partner = await partnerWithKey(supergraph);
      const response = await supergraph.request(persistedRequest(sha256(query), {}, partner.headers));
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    });

    it('refuses another body under a trusted id', async () => {
      const forged = 'query PartnerProduct($id: ID!) { product(id: $id) { id name description } }';
      const response = await supergraph.request(apq(trusted('PartnerProduct').id, forged));
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toEqual(['BAD_REQUEST']);
      // The trusted document is still the one that runs under its id.
      const partner = await partnerWithKey(supergraph);
      const stillTrusted = await supergraph.request<{ product: { stockQuantity: number } }>(
        persistedRequest(trusted('PartnerProduct').id, { id: productId }, partner.headers),
      );
      expect(stillTrusted.data!.product.stockQuantity).toBe(7);
    });
  });

  // docs/partners.md, docs/adr/0033: the test supergraph's settle window is TEST_SYNC_SETTLE_MS.
  describe('incremental sync for partners', () => {
    interface SyncPage {
      items: Array<{ id: string; updatedAt: string; stockQuantity: number; price: { amount: string } }>;
      unavailable: Array<{ id: string; updatedAt: string }>;
      nextCursor: string;
    }
    const databaseNow = async () => (await supergraph.catalog.prisma.$queryRaw<Array<{ now: Date }>>`SELECT now() AS now`)[0]!.now;
    /**
     * Until every change so far has settled by the database's clock, the one the sync reads. A
     * fixed sleep failed once on a loaded CI machine: a change made before the sleep was still
     * held back after it. Waiting on the sync's own clock cannot end early.
     */
    const settle = async () => {
      const [{ latest }] = (await supergraph.catalog.prisma.$queryRaw<Array<{ latest: Date }>>`SELECT max(updated_at) AS latest FROM products`) as [{ latest: Date }];
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while ((await databaseNow()).getTime() - TEST_SYNC_SETTLE_MS <= latest.getTime());
    };

    it('delivers every change since a point across pages, once each, while products change between pages, deactivated and deleted ones by id only', async () => {
      const partner = await partnerWithKey(supergraph);
      const sync = async (variables: Record<string, unknown>) => {
        const response = await supergraph.request<{ products: SyncPage }>(persistedRequest(trusted('PartnerProductChanges').id, { limit: 2, ...variables }, partner.headers));
        expect(response.errors).toBeUndefined();
        return response.data!.products;
      };
      const since = await databaseNow();
      const products = [];
      for (let n = 0; n < 6; n += 1) products.push(await build.product({ stockQuantity: n + 1 }));
      const ours = new Set(products.map((product) => product.id));
      await settle();

      const delivered: Array<{ id: string; updatedAt: string; gone: boolean }> = [];
      const take = (page: SyncPage) => {
        delivered.push(...page.items.map(({ id, updatedAt }) => ({ id, updatedAt, gone: false })));
        delivered.push(...page.unavailable.map(({ id, updatedAt }) => ({ id, updatedAt, gone: true })));
        return page.items.length + page.unavailable.length;
      };
      const first = await sync({ updatedAfter: since.toISOString() });
      expect(take(first)).toBe(2);

      // Between pages: one already delivered changes, one not yet delivered is deactivated,
      // another deleted, and a new product appears. Which ones were delivered is read off the
      // page: the sync's order is the changes' (updatedAt, id), not the order they were made in.
      const seen = first.items.find((item) => ours.has(item.id))?.id;
      expect(seen).toBeDefined();
      const [deactivated, deleted] = products.map((product) => product.id).filter((id) => !first.items.some((item) => item.id === id));
      await supergraph.catalog.prisma.product.update({ where: { id: seen! }, data: { price: '11.00' } });
      await supergraph.catalog.prisma.product.update({ where: { id: deactivated! }, data: { isActive: false } });
      await supergraph.catalog.prisma.product.update({ where: { id: deleted! }, data: { deletedAt: new Date() } });
      const added = await build.product();
      ours.add(added.id);
      await settle();

      let cursor = first.nextCursor;
      for (let pages = 0; pages < 20; pages += 1) {
        const page = await sync({ after: cursor });
        cursor = page.nextCursor;
        if (take(page) < 2) break;
      }
      const mine = delivered.filter((change) => ours.has(change.id));
      // Nothing twice: a product comes again only with a newer change.
      expect(new Set(mine.map((change) => `${change.id}@${change.updatedAt}`)).size).toBe(mine.length);
      // Nothing missed: each product's last delivery is its state now.
      const now = await supergraph.catalog.prisma.product.findMany({ where: { id: { in: [...ours] } } });
      const lastOf = new Map(mine.map((change) => [change.id, change]));
      expect(
        now.map((product) => [product.id, lastOf.get(product.id)?.updatedAt, lastOf.get(product.id)?.gone]).sort(),
      ).toEqual(now.map((product) => [product.id, product.updatedAt.toISOString(), product.id === deactivated || product.id === deleted]).sort());
      // The changed product twice, every other one once.
      expect(mine.filter((change) => change.id === seen)).toHaveLength(2);
      expect(mine.filter((change) => change.id !== seen)).toHaveLength(ours.size - 1);
      // A later sync from the last cursor has nothing new; it resumes where this one stopped.
      expect(take(await sync({ after: cursor }))).toBe(0);
    });

    it('holds back a change until it settled, and refuses a cursor it did not give and a page number', async () => {
      const partner = await partnerWithKey(supergraph);
      const since = await databaseNow();
      const product = await build.product();
      const run = (variables: Record<string, unknown>) =>
        supergraph.request<{ products: SyncPage }>(persistedRequest(trusted('PartnerProductChanges').id, variables, partner.headers));
      expect((await run({ updatedAfter: since.toISOString() })).data!.products.items.map((item) => item.id)).not.toContain(product.id);
      await settle();
      expect((await run({ updatedAfter: since.toISOString() })).data!.products.items.map((item) => item.id)).toContain(product.id);

      const forged = await run({ after: Buffer.from('["yesterday","x"]').toString('base64url') });
      expect([forged.status, errorCodes(forged), forged.errors![0]!.extensions!.field]).toEqual([400, ['BAD_USER_INPUT'], 'after']);
      const paged = await supergraph.request({
        query: 'query($after: String) { products(after: $after, page: 2) { items { id } } }',
        variables: { after: (await run({ updatedAfter: since.toISOString() })).data!.products.nextCursor },
      });
      expect(errorCodes(paged)).toEqual(['BAD_USER_INPUT']);
    });

    it('keeps admin fields from partners: the ledger refused as text, and no trusted operation reads it', async () => {
      const partner = await partnerWithKey(supergraph);
      for (const name of ['StockMovements', 'AdjustStock', 'LowStockProducts']) {
        const response = await supergraph.request({ query: contractOperation('admin', name), variables: {}, headers: partner.headers });
        expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      }
      expect(manifest.operations.filter((operation) => /stockMovements|adjustStock|lowStockProducts|isActive|apiKeys|users|orders/.test(operation.body))).toEqual([]);
      // Without stock:read, a key learns of no removed product either.
      const reader = await partnerWithKey(supergraph, []);
      const response = await supergraph.request(persistedRequest(trusted('PartnerProductChanges').id, { updatedAfter: '2026-01-01T00:00:00Z' }, reader.headers));
      expect(errorCodes(response)).toContain('FORBIDDEN');
      expect(JSON.stringify(response.data ?? null)).not.toMatch(/unavailable":\[\{/);
    });
  });

  describe('automatic persisted queries for frontends', () => {
    it('registers a query on first sight, then runs it by hash alone', async () => {
      const query = `query ApqProduct($id: ID!) { product(id: $id) { id name } }`;
      const hash = sha256(query);
      const unknown = await supergraph.request(apq(hash));
      expect(errorCodes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      const registered = await supergraph.request({ ...apq(hash, query), variables: { id: productId } });
      expect(registered.errors).toBeUndefined();
      const byHash = await supergraph.request<{ product: { id: string } }>({ ...apq(hash), variables: { id: productId } });
      expect(byHash.errors).toBeUndefined();
      expect(byHash.data!.product.id).toBe(productId);
    });

    it('refuses a hash that does not match its query', async () => {
      const response = await supergraph.request(apq(sha256('query A { __typename }'), 'query B { __typename }'));
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toEqual(['BAD_REQUEST']);
    });

    it('runs a signed-in shopper’s registered query by hash', async () => {
      const shopper = await signedInUser(supergraph);
      const query = 'query ApqMe { me { id } }';
      await supergraph.request(apq(sha256(query), query, shopper.headers));
      const byHash = await supergraph.request<{ me: { id: string } }>(apq(sha256(query), undefined, shopper.headers));
      expect(byHash.data!.me.id).toBe(shopper.userId);
    });

    // The registration lives in Redis: a gateway instance that never saw the text runs it.
    (sharedRedis ? it : it.skip)('shares registrations between gateway instances through Redis', async () => {
      const query = 'query ApqShared { categories { id name } }';
      const registered = await supergraph.request(apq(sha256(query), query));
      expect(registered.errors).toBeUndefined();
      const other = await supergraph.startAnotherGateway();
      await untilGatewayUsesRedis(other.url);
      const byHash = await postGraphQL(other.url, apq(sha256(query)));
      expect(byHash.errors).toBeUndefined();
      expect(byHash.data).toEqual(registered.data);
    });
  });
});
