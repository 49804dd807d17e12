import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import { partnerManifestPath } from '@shop/gateway';
import {
  errorCodes,
  partnerWithKey,
  persistedRequest,
  postGraphQL,
  sharedRedis,
  signedInUser,
  startTestSupergraph,
  oneTestBackend,
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

describe.each([oneTestBackend()])('persisted queries through the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let productId: string;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    productId = (await catalogBuilders(supergraph.catalog.prisma).product({ stockQuantity: 7 })).id;
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
