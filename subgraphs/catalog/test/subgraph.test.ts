import { randomUUID } from 'node:crypto';
import { StockApi } from '@shop/contracts';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { aloneSubgraph, asGatewayTo, entitiesQuery, errorCodes, gatewayHeaders, personViewer, refusalOf } from '@shop/testing/subgraph';
import { createLogger } from '@shop/logging';
import { createSharedReads } from '../src/data/loaders.js';
import { startCatalog, type CatalogPrisma } from '../src/index.js';
import { startReservationSweeper, stockService } from '../src/services/stock.js';
import { catalogBuilders, catalogState, ledgerMismatches, type CatalogBuilders } from './builders.js';

/** The catalog subgraph alone, as the gateway sees it: operations and `_entities` over HTTP, signed for a viewer, on a PGlite database of its own. */
describe('catalog subgraph', () => {
  let catalog: RunningSubgraph<CatalogPrisma>;
  let alone: Awaited<ReturnType<typeof aloneSubgraph>>;
  let build: CatalogBuilders;
  let send: ReturnType<typeof asGatewayTo>;

  beforeAll(async () => {
    alone = await aloneSubgraph('catalog');
    catalog = await startCatalog({ ...alone.options, seedDemoData: false, syncSettleMs: 0 });
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

  describe('reads as the storefront makes them', () => {
    it('answers product(id) with its category and that one\'s parent, exact Decimal and instants, and null for a deleted one', async () => {
      const parent = await build.category({ name: 'Home' });
      const category = await build.category({ name: 'Lighting', parentId: parent.id });
      const lamp = await build.product({ name: 'Desk lamp', price: '1199.90', categoryId: category.id });
      const gone = await build.product({ deletedAt: new Date() });
      const query = 'query($id: ID!) { product(id: $id) { id price { amount currency } createdAt category { id name parent { id name parent { id } } } } }';
      const response = await send({ query, variables: { id: lamp.id.toUpperCase() } });
      expect(response.errors).toBeUndefined();
      expect(response.data!.product).toEqual({
        id: lamp.id,
        price: { amount: '1199.90', currency: 'USD' },
        createdAt: lamp.createdAt.toISOString(),
        category: { id: category.id, name: 'Lighting', parent: { id: parent.id, name: 'Home', parent: null } },
      });
      expect((await send({ query, variables: { id: gone.id } })).data!.product).toBeNull();
    });

    it('counts the total of a page only when it is asked for, and reads a page past the end with its total, each page in one statement', async () => {
      const category = await build.category();
      await Promise.all(['1.00', '2.00', '3.00'].map((price) => build.product({ categoryId: category.id, price })));
      const page = (selection: string, pageNumber: number) =>
        send({ query: `query($filter: ProductFilter, $page: Int) { products(filter: $filter, page: $page, limit: 2, sort: PRICE_ASC) { ${selection} } }`, variables: { filter: { categoryId: category.id }, page: pageNumber } });
      expect((await page('items { price { amount } } meta { currentPage }', 1)).data!.products).toEqual({ items: [{ price: { amount: '1.00' } }, { price: { amount: '2.00' } }], meta: { currentPage: 1 } });
      expect((await page('...on ProductPage { meta { totalPages } } items { price { amount } }', 2)).data!.products).toEqual({ meta: { totalPages: 2 }, items: [{ price: { amount: '3.00' } }] });
      const before = catalog.usage();
      expect((await page('items { id } meta { totalItems totalPages }', 5)).data!.products).toEqual({ items: [], meta: { totalItems: 3, totalPages: 2 } });
      expect((await page('items { id } meta { totalItems }', 2)).data!.products).toEqual({ items: [{ id: expect.any(String) }], meta: { totalItems: 3 } });
      const after = catalog.usage();
      expect(after.statements - before.statements).toBe(2);
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

    it('looks products up as they are now, for concurrent callers at once: each answer its own products, an unknown id left out', async () => {
      const lamp = await build.product({ name: 'Lamp', price: '19.99', stockQuantity: 3 });
      const retired = await build.product({ isActive: false, price: '5.00' });
      const url = new URL(StockApi.lookup.path, catalog.url).toString();
      const lookup = async (ids: string[]) => {
        const body = JSON.stringify({ ids });
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await gatewayHeaders(alone.options.gatewayKeys, 'catalog', url, body)) },
          body,
        });
        expect(response.status).toBe(200);
        return ((await response.json()) as { products: Array<{ id: string; price: string; orderable: boolean }> }).products;
      };
      const [first, second] = await Promise.all([lookup([lamp.id.toUpperCase(), randomUUID()]), lookup([retired.id, lamp.id])]);
      expect(first).toEqual([expect.objectContaining({ id: lamp.id, price: '19.99', orderable: true })]);
      expect(second).toEqual([
        expect.objectContaining({ id: retired.id, price: '5.00', orderable: false }),
        expect.objectContaining({ id: lamp.id, price: '19.99', orderable: true }),
      ]);

      await catalog.prisma.product.update({ where: { id: lamp.id }, data: { price: '21.50' } });
      expect(await lookup([lamp.id])).toEqual([expect.objectContaining({ id: lamp.id, price: '21.50' })]);
    });
  });

  describe('the stock ledger', () => {
    const admin = personViewer('ADMIN');
    const AdjustStock = `mutation($input: AdjustStockInput!) {
      adjustStock(input: $input) { product { id stockQuantity } movement { delta stockAfter reason actorKind actorId note } }
    }`;
    const adjust = (input: Record<string, unknown>, viewer: ReturnType<typeof personViewer> | undefined = admin) =>
      send<{ adjustStock: { product: { stockQuantity: number }; movement: Record<string, unknown> } }>({ query: AdjustStock, variables: { input } }, viewer);
    const history = async (productId: string) =>
      (await catalog.prisma.stockMovement.findMany({ where: { productId }, orderBy: { id: 'asc' } })).map((movement) => [
        movement.reason,
        movement.delta,
        movement.stockAfter,
        movement.actorKind,
      ]);

    it('records each step of the order saga with the order as its actor, and an expired reservation released by the system', async () => {
      const stock = stockService(catalog.prisma, createSharedReads(catalog.prisma).products);
      const product = await build.product({ stockQuantity: 10 });
      const [sold, cancelled, expired] = [randomUUID(), randomUUID(), randomUUID()];
      await stock.reserve({ reservationId: sold, lines: [{ productId: product.id, quantity: 2 }] });
      await stock.commit({ reservationId: sold });
      await stock.reserve({ reservationId: cancelled, lines: [{ productId: product.id, quantity: 3 }] });
      await stock.release({ reservationId: cancelled });
      // Repeats change nothing: each step happens once, and so does its movement.
      await stock.commit({ reservationId: sold });
      await stock.release({ reservationId: cancelled });

      const expiring = stockService(catalog.prisma, createSharedReads(catalog.prisma).products, -1);
      await expiring.reserve({ reservationId: expired, lines: [{ productId: product.id, quantity: 4 }] });
      const sweeper = startReservationSweeper(catalog.prisma, createLogger('catalog', 'silent'), 20);
      try {
        const deadline = Date.now() + 5_000;
        while ((await catalog.prisma.stockMovement.count({ where: { productId: product.id, actorKind: 'SYSTEM', reason: 'RELEASE' } })) === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await sweeper.stop();
      }

      expect(await history(product.id)).toEqual([
        ['OPENING', 10, 10, 'SYSTEM'],
        ['ORDER_RESERVATION', -2, 8, 'ORDER'],
        ['SALE', 0, 8, 'ORDER'],
        ['ORDER_RESERVATION', -3, 5, 'ORDER'],
        ['RELEASE', 3, 8, 'ORDER'],
        ['ORDER_RESERVATION', -4, 4, 'ORDER'],
        ['RELEASE', 4, 8, 'SYSTEM'],
      ]);
      const movements = await catalog.prisma.stockMovement.findMany({ where: { productId: product.id }, orderBy: { id: 'asc' } });
      expect(movements.map((movement) => [movement.actorId, movement.orderId])).toEqual([
        [null, null],
        [sold, sold],
        [sold, sold],
        [cancelled, cancelled],
        [cancelled, cancelled],
        [expired, expired],
        [null, expired],
      ]);
      expect(await ledgerMismatches(catalog.prisma)).toEqual([]);
    });

    it('adjusts by a delta as the signed-in admin, and records an admin setting the stock as a correction by the difference', async () => {
      const product = await build.product({ stockQuantity: 3 });
      const restocked = await adjust({ productId: product.id, delta: 7, reason: 'RESTOCK', note: ' delivery 42 ' });
      expect(restocked.errors).toBeUndefined();
      expect(restocked.data!.adjustStock).toEqual({
        product: { id: product.id, stockQuantity: 10 },
        movement: { delta: 7, stockAfter: 10, reason: 'RESTOCK', actorKind: 'USER', actorId: admin.userId, note: 'delivery 42' },
      });
      const updated = await send({ query: 'mutation($id: ID!) { updateProduct(id: $id, input: { stockQuantity: 4 }) { stockQuantity } }', variables: { id: product.id } }, admin);
      expect(updated.errors).toBeUndefined();
      expect(await history(product.id)).toEqual([
        ['OPENING', 3, 3, 'SYSTEM'],
        ['RESTOCK', 7, 10, 'USER'],
        ['CORRECTION', -6, 4, 'USER'],
      ]);
    });

    it('refuses an adjustment below zero with STOCK_BELOW_ZERO, writing nothing', async () => {
      const product = await build.product({ stockQuantity: 2 });
      const before = [await catalogState(catalog.prisma), await catalog.prisma.stockMovement.count()];
      const response = await adjust({ productId: product.id, delta: -3, reason: 'CORRECTION' });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['STOCK_BELOW_ZERO'] });
      expect(response.errors![0]!.extensions).toMatchObject({ productId: product.id, stockQuantity: 2 });
      expect([await catalogState(catalog.prisma), await catalog.prisma.stockMovement.count()]).toEqual(before);
      expect((await adjust({ productId: product.id, delta: -2, reason: 'CORRECTION' })).data!.adjustStock.product.stockQuantity).toBe(0);
    });

    it.each([
      ['a restock that takes units away', { delta: -1, reason: 'RESTOCK' }, 'input.delta'],
      ['a zero delta', { delta: 0, reason: 'CORRECTION' }, 'input.delta'],
      ['a delta beyond a million', { delta: 1_000_001, reason: 'RESTOCK' }, 'input.delta'],
      ['a 501-character note', { delta: 1, reason: 'RESTOCK', note: 'n'.repeat(501) }, 'input.note'],
    ])('refuses %s with BAD_USER_INPUT', async (_name, input, field) => {
      const product = await build.product();
      const response = await adjust({ productId: product.id, ...input });
      expect(refusalOf(response)).toEqual({ data: null, codes: ['BAD_USER_INPUT'] });
      expect(response.errors![0]!.extensions!.field).toBe(field);
      expect(await history(product.id)).toEqual([['OPENING', 5, 5, 'SYSTEM']]);
    });

    it('refuses adjustments, movements and low stock to a shopper, and answers NOT_FOUND for an unknown or deleted product', async () => {
      const product = await build.product();
      expect(refusalOf(await adjust({ productId: product.id, delta: 1, reason: 'RESTOCK' }, personViewer()))).toEqual({ data: null, codes: ['FORBIDDEN'] });
      const movements = await send({ query: '{ lowStockProducts(below: 5) { meta { totalItems } } }' }, personViewer());
      expect(refusalOf(movements)).toEqual({ data: null, codes: ['FORBIDDEN'] });
      const deleted = await build.product({ deletedAt: new Date() });
      for (const productId of [randomUUID(), deleted.id]) {
        expect(refusalOf(await adjust({ productId, delta: 1, reason: 'RESTOCK' }))).toEqual({ data: null, codes: ['NOT_FOUND'] });
      }
      expect(await history(product.id)).toEqual([['OPENING', 5, 5, 'SYSTEM']]);
    });

    it('pages a product\'s movements newest first, and lists active products below a threshold, the scarcest first', async () => {
      const product = await build.product({ stockQuantity: 1 });
      for (const delta of [1, 2, 3]) await adjust({ productId: product.id, delta, reason: 'RESTOCK' });
      const page = await send<{ stockMovements: { items: Array<{ delta: number; stockAfter: number }>; meta: { totalItems: number; totalPages: number } } }>(
        { query: 'query($id: ID!) { stockMovements(productId: $id, page: 1, limit: 3) { items { delta stockAfter } meta { totalItems totalPages } } }', variables: { id: product.id } },
        admin,
      );
      expect(page.data!.stockMovements).toEqual({
        items: [
          { delta: 3, stockAfter: 7 },
          { delta: 2, stockAfter: 4 },
          { delta: 1, stockAfter: 2 },
        ],
        meta: { totalItems: 4, totalPages: 2 },
      });

      const brand = `Scarce ${randomUUID()}`;
      const [none, one] = [await build.product({ brand, stockQuantity: 0 }), await build.product({ brand, stockQuantity: 1 })];
      await build.product({ brand, stockQuantity: 0, isActive: false });
      const low = await send<{ lowStockProducts: { items: Array<{ id: string; brand: string; stockQuantity: number }> } }>(
        { query: '{ lowStockProducts(below: 2, limit: 100) { items { id brand stockQuantity } } }' },
        admin,
      );
      const ours = low.data!.lowStockProducts.items.filter((item) => item.brand === brand);
      expect(ours.map((item) => [item.id, item.stockQuantity])).toEqual([
        [none.id, 0],
        [one.id, 1],
      ]);
      expect(low.data!.lowStockProducts.items.every((item) => item.stockQuantity < 2)).toBe(true);
    });
  });

  describe('sync mode of products', () => {
    const Sync = `query($since: DateTime!) { products(filter: { updatedAfter: $since }, limit: 100) { items { id } nextCursor } }`;
    const SyncRemovals = `query($since: DateTime!) { products(filter: { updatedAfter: $since }, limit: 100) { items { id } unavailable { id } } }`;

    it('lists changes since an instant; inactive and deleted ones are items to admins or removals to stock:read keys, and hidden from others', async () => {
      const since = new Date(Date.now() - 1);
      const [active, inactive, deleted] = [await build.product(), await build.product({ isActive: false }), await build.product({ deletedAt: new Date() })];
      const partner = { kind: 'partner' as const, apiKeyId: randomUUID(), ownerId: randomUUID(), scopes: ['stock:read'], costBudget: null };
      const variables = { since: since.toISOString() };
      // Sorted: two of them may share a millisecond, and then their ids order them.
      const ours = (ids: Array<{ id: string }>) => ids.map(({ id }) => id).filter((id) => [active.id, inactive.id, deleted.id].includes(id)).sort();

      const asAdmin = await send<{ products: { items: Array<{ id: string }>; unavailable: Array<{ id: string }> } }>({ query: SyncRemovals, variables }, personViewer('ADMIN'));
      expect([ours(asAdmin.data!.products.items), ours(asAdmin.data!.products.unavailable)]).toEqual([[active.id, inactive.id].sort(), [deleted.id]]);
      const asPartner = await send<{ products: { items: Array<{ id: string }>; unavailable: Array<{ id: string }> } }>({ query: SyncRemovals, variables }, partner);
      expect([ours(asPartner.data!.products.items), ours(asPartner.data!.products.unavailable)]).toEqual([[active.id], [inactive.id, deleted.id].sort()]);
      const asShopper = await send<{ products: { items: Array<{ id: string }>; nextCursor: string } }>({ query: Sync, variables }, personViewer());
      expect(ours(asShopper.data!.products.items)).toEqual([active.id]);
      expect(errorCodes(await send({ query: SyncRemovals, variables }, personViewer()))).toEqual(['FORBIDDEN']);

      // Resuming from the last cursor finds nothing new.
      const resumed = await send<{ products: { items: Array<{ id: string }> } }>(
        { query: 'query($after: String) { products(after: $after) { items { id } } }', variables: { after: asShopper.data!.products.nextCursor } },
        personViewer(),
      );
      expect(ours(resumed.data!.products.items)).toEqual([]);
    });
  });
});
