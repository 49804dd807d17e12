import { randomUUID } from 'node:crypto';
import type { RunningSubgraph } from '@shop/graphql-kit';
import { aloneOptions, asGatewayTo, entitiesQuery, errorCodes, personViewer, refusalOf } from '@shop/testing/subgraph';
import { startCatalog, type CatalogPrisma } from '../src/index.js';
import { catalogBuilders, type CatalogBuilders } from './builders.js';

/** The catalog subgraph alone, as the gateway sees it: operations and `_entities` over HTTP, signed for a viewer, on PGlite in memory. */
describe('catalog subgraph', () => {
  let catalog: RunningSubgraph<CatalogPrisma>;
  let build: CatalogBuilders;
  let send: ReturnType<typeof asGatewayTo>;

  beforeAll(async () => {
    const options = aloneOptions('catalog');
    catalog = await startCatalog({ ...options, seedDemoData: false });
    build = catalogBuilders(catalog.prisma);
    send = asGatewayTo('catalog', { url: catalog.url, keys: options.gatewayKeys });
  });
  afterAll(() => catalog?.stop());

  describe('_entities', () => {
    it('resolves Products by id, an inactive one too (an order line keeps its product), and null for an unknown id', async () => {
      const lamp = await build.product({ name: 'Lamp', price: '19.99', stockQuantity: 3 });
      const retired = await build.product({ isActive: false, stockQuantity: 0 });
      const response = await send({
        query: entitiesQuery('Product', '{ id name price { amount currency } inStock }'),
        variables: { representations: [lamp, retired, { id: randomUUID() }].map(({ id }) => ({ __typename: 'Product', id })) },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!._entities).toEqual([
        { id: lamp.id, name: 'Lamp', price: { amount: '19.99', currency: 'USD' }, inStock: true },
        { id: retired.id, name: retired.name, price: { amount: '10.00', currency: 'USD' }, inStock: false },
        null,
      ]);
    });

    it('resolves a Category by id with its products', async () => {
      const category = await build.category({ name: 'Lighting' });
      const product = await build.product({ categoryId: category.id });
      const response = await send({
        query: entitiesQuery('Category', '{ id name products { items { id } } }'),
        variables: { representations: [{ __typename: 'Category', id: category.id }] },
      });
      expect(response.data!._entities).toEqual([{ id: category.id, name: 'Lighting', products: { items: [{ id: product.id }] } }]);
    });
  });

  describe('access rules, kept by the subgraph too', () => {
    it('shows stock quantities to admins and stock:read keys, and refuses them to shoppers and anonymous callers', async () => {
      const product = await build.product({ stockQuantity: 7 });
      const request = { query: entitiesQuery('Product', '{ id stockQuantity }'), variables: { representations: [{ __typename: 'Product', id: product.id }] } };
      const partner = { kind: 'partner' as const, apiKeyId: randomUUID(), ownerId: randomUUID(), scopes: ['stock:read'], costBudget: null };

      for (const viewer of [personViewer('ADMIN'), partner]) {
        expect((await send(request, viewer)).data!._entities).toEqual([{ id: product.id, stockQuantity: 7 }]);
      }
      const shopper = await send(request, personViewer());
      expect([shopper.data!._entities, errorCodes(shopper)]).toEqual([[{ id: product.id, stockQuantity: null }], ['FORBIDDEN']]);
      expect(errorCodes(await send(request))).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses creating a product to a shopper with FORBIDDEN, writing nothing', async () => {
      const name = `Forbidden ${randomUUID()}`;
      const response = await send(
        { query: 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', variables: { input: { name, brand: 'B', price: '1.00' } } },
        personViewer(),
      );
      expect(refusalOf(response)).toEqual({ data: null, codes: ['FORBIDDEN'] });
      expect(await catalog.prisma.product.count({ where: { name } })).toBe(0);
    });
  });

  describe('validation', () => {
    it('refuses a negative price filter with BAD_USER_INPUT naming the field', async () => {
      const response = await send({ query: '{ products(filter: { minPrice: "-1" }) { meta { totalItems } } }' });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
      expect(response.errors![0]!.extensions!.field).toBe('filter.minPrice');
    });

    it('refuses a product priced below zero, as an admin too', async () => {
      const response = await send(
        { query: 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', variables: { input: { name: 'Negative', brand: 'B', price: '-5.00' } } },
        personViewer('ADMIN'),
      );
      expect(refusalOf(response)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
    });
  });
});
