import { randomUUID } from 'node:crypto';
import { StockApi } from '@shop/contracts';
import type { RunningSubgraph } from '@shop/graphql-kit';
import { aloneSubgraph, asGatewayTo, entitiesQuery, errorCodes, gatewayHeaders, personViewer, refusalOf } from '@shop/testing/subgraph';
import { startCatalog, type CatalogPrisma } from '../src/index.js';
import { catalogBuilders, catalogState, type CatalogBuilders } from './builders.js';

/** The catalog subgraph alone, as the gateway sees it: operations and `_entities` over HTTP, signed for a viewer, on a PGlite database of its own. */
describe('catalog subgraph', () => {
  let catalog: RunningSubgraph<CatalogPrisma>;
  let alone: Awaited<ReturnType<typeof aloneSubgraph>>;
  let build: CatalogBuilders;
  let send: ReturnType<typeof asGatewayTo>;

  beforeAll(async () => {
    alone = await aloneSubgraph('catalog');
    catalog = await startCatalog({ ...alone.options, seedDemoData: false });
    build = catalogBuilders(catalog.prisma);
    send = asGatewayTo('catalog', { url: catalog.url, keys: alone.options.gatewayKeys });
  });
  afterAll(async () => {
    await catalog?.stop();
    await alone?.dropDatabase();
  });

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

    describe("an admin's product writes: BAD_USER_INPUT and nothing written", () => {
      const asAdmin = (query: string, variables: Record<string, unknown>) => send({ query, variables }, personViewer('ADMIN'));
      const createProduct = (input: Record<string, unknown>) =>
        asAdmin('mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
          input: { name: `Lamp ${randomUUID()}`, brand: 'Lumen', price: '10.00', ...input },
        });
      const updateProduct = (id: string, input: Record<string, unknown>) =>
        asAdmin('mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }', { id, input });

      async function expectNothingWritten(run: () => Promise<unknown>) {
        const before = await catalogState(catalog.prisma);
        await run();
        expect(await catalogState(catalog.prisma)).toEqual(before);
      }

      it.each([
        ['a negative price', { price: '-0.01' }, 'input.price'],
        ['a price with three decimals', { price: '10.999' }, 'input.price'],
        ['a price above NUMERIC(10,2)', { price: '100000000' }, 'input.price'],
        ['a negative stock', { stockQuantity: -1 }, 'input.stockQuantity'],
        ['a lower-case currency', { currency: 'usd' }, 'input.currency'],
        ['an empty name', { name: '   ' }, 'input.name'],
        ['a 201-character brand', { brand: 'b'.repeat(201) }, 'input.brand'],
        ['an image URL that is not http(s)', { imageUrl: 'javascript:alert(1)' }, 'input.imageUrl'],
        ['a malformed category id', { categoryId: 'seven' }, 'input.categoryId'],
      ])('refuses creating a product with %s, naming the field', async (_name, input, field) => {
        await expectNothingWritten(async () => {
          const response = await createProduct(input);
          expect(refusalOf(response)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
          expect(response.errors![0]!.extensions!.field).toBe(field);
        });
      });

      it.each([
        ['a null name', { name: null }],
        ['a null price', { price: null }],
        ['a price with three decimals', { price: '0.001' }],
        ['a negative stock', { stockQuantity: -5 }],
      ])('refuses an update with %s', async (_name, input) => {
        const product = await build.product();
        await expectNothingWritten(async () => {
          expect(refusalOf(await updateProduct(product.id, input))).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
        });
      });
    });
  });

  describe('the stock API', () => {
    it('answers 400 to a gateway-signed request that breaks its contract, naming the field, and moves no stock', async () => {
      const url = new URL(StockApi.reserve.path, catalog.url).toString();
      const reservationId = randomUUID();
      const body = JSON.stringify({ reservationId, lines: [{ productId: randomUUID(), quantity: 0 }] });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await gatewayHeaders(alone.options.gatewayKeys, 'catalog', url, body)) },
        body,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/^lines\.0\.quantity: Too small/);
      expect(await catalog.prisma.stockReservation.count({ where: { id: reservationId } })).toBe(0);
    });
  });
});
