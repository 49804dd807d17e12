import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, catalogState, type CatalogBuilders } from '@shop/catalog/testing';
import { contractOperation, errorCodes, signedInUser, startTestSupergraph, testBackends, type SignedIn, type TestSupergraph } from '../src/index.js';

const CreateCategory = contractOperation('admin', 'CreateCategory');
const UpdateCategory = contractOperation('admin', 'UpdateCategory');
const CreateProduct = contractOperation('admin', 'CreateProduct');
const UpdateProduct = contractOperation('admin', 'UpdateProduct');
const DeleteProduct = contractOperation('admin', 'DeleteProduct');
const AdminProducts = contractOperation('admin', 'AdminProducts');
const AdjustStock = contractOperation('admin', 'AdjustStock');
const StockMovements = contractOperation('admin', 'StockMovements');
const LowStockProducts = contractOperation('admin', 'LowStockProducts');
const ProductQuery = contractOperation('frontend', 'Product');
const Products = contractOperation('frontend', 'Products');

interface ProductView {
  id: string;
  name: string;
  stockQuantity: number;
  isActive: boolean;
  price: { amount: string; currency: string };
  category?: { id: string } | null;
}

describe.each(testBackends())('catalog administration through the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: CatalogBuilders;
  let admin: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = catalogBuilders(supergraph.catalog.prisma);
    admin = await signedInUser(supergraph, 'ADMIN');
  });
  afterAll(() => supergraph?.stop());

  const asAdmin = <Data>(query: string, variables: Record<string, unknown>) => supergraph.request<Data>({ query, variables, headers: admin.headers });
  const createProduct = (input: Record<string, unknown>) =>
    asAdmin<{ createProduct: ProductView }>(CreateProduct, { input: { name: `Lamp ${randomUUID()}`, brand: 'Lumen', price: '10.00', ...input } });
  const updateProduct = (id: string, input: Record<string, unknown>) => asAdmin<{ updateProduct: ProductView }>(UpdateProduct, { id, input });
  const createCategory = (input: Record<string, unknown>) =>
    asAdmin<{ createCategory: { id: string; name: string; parent: { id: string } | null } }>(CreateCategory, { input });
  const updateCategory = (id: string, input: Record<string, unknown>) =>
    asAdmin<{ updateCategory: { id: string; name: string; description: string | null; parent: { id: string } | null } }>(UpdateCategory, { id, input });

  async function expectNothingWritten(run: () => Promise<unknown>) {
    const before = await catalogState(supergraph.catalog.prisma);
    await run();
    expect(await catalogState(supergraph.catalog.prisma)).toEqual(before);
  }

  // Input the catalog subgraph refuses on its own is shown in subgraphs/catalog/test/subgraph.test.ts.
  describe('products', () => {
    it('creates a product with exact price, stock and category, and records its events', async () => {
      const category = await build.category();
      const response = await createProduct({ price: '1199.99', currency: 'EUR', stockQuantity: 7, categoryId: category.id, isActive: false });
      expect(response.errors).toBeUndefined();
      const product = response.data!.createProduct;
      expect(product).toMatchObject({ stockQuantity: 7, isActive: false, price: { amount: '1199.99', currency: 'EUR' }, category: { id: category.id } });
      const events = await supergraph.catalog.prisma.outboxEvent.findMany({ where: { aggregateId: product.id }, orderBy: { id: 'asc' } });
      expect(events.map((event) => event.topic)).toEqual(['product.changed', 'stock.changed']);
    });

    it('defaults currency to USD, stock to 0 and accepts a price given as a number', async () => {
      const product = (await createProduct({ price: 19.9 })).data!.createProduct;
      expect(product).toMatchObject({ stockQuantity: 0, isActive: true, price: { amount: '19.90', currency: 'USD' } });
    });

    it('refuses an unknown category with NOT_FOUND and writes nothing', async () => {
      const product = await build.product();
      await expectNothingWritten(async () => {
        expect(errorCodes(await createProduct({ categoryId: randomUUID() }))).toEqual(['NOT_FOUND']);
        expect(errorCodes(await updateProduct(product.id, { categoryId: randomUUID() }))).toEqual(['NOT_FOUND']);
      });
    });

    it('changes only the fields given, and sets stock with a stock event', async () => {
      const product = await build.product({ price: '5.00', stockQuantity: 2 });
      const response = await updateProduct(product.id, { price: '6.5', stockQuantity: 40 });
      expect(response.data!.updateProduct).toMatchObject({ name: product.name, stockQuantity: 40, price: { amount: '6.50', currency: 'USD' } });
      const stockEvents = await supergraph.catalog.prisma.outboxEvent.findMany({ where: { aggregateId: product.id, topic: 'stock.changed' } });
      expect(stockEvents.map((event) => event.payload)).toEqual([{ productId: product.id, stockQuantity: 40, previousStockQuantity: 2 }]);
      // Setting the stock is a correction by the difference, made by the admin.
      const movements = await supergraph.catalog.prisma.stockMovement.findMany({ where: { productId: product.id }, orderBy: { id: 'asc' } });
      expect(movements.map((movement) => [movement.reason, movement.delta, movement.stockAfter, movement.actorId])).toEqual([
        ['OPENING', 2, 2, null],
        ['CORRECTION', 38, 40, admin.userId],
      ]);
    });

    it('finds a product by the words it was renamed and redescribed to, no longer by the old ones', async () => {
      const category = await build.category();
      const product = await build.product({ categoryId: category.id, name: 'Quartz Clock', description: 'Ticks quietly' });
      const found = async (search: string) => {
        const response = await supergraph.request<{ products: { items: Array<{ id: string }> } }>({
          query: Products,
          variables: { filter: { categoryId: category.id, search }, limit: 10 },
        });
        expect(response.errors).toBeUndefined();
        return response.data!.products.items.map((item) => item.id);
      };
      expect(await found('quartz ticks')).toEqual([product.id]);

      expect((await updateProduct(product.id, { name: 'Ébène Pendule' })).errors).toBeUndefined();
      expect(await found('ÉBÈNE')).toEqual([product.id]);
      expect(await found('pendule ticks')).toEqual([product.id]);
      expect(await found('quartz')).toEqual([]);

      expect((await updateProduct(product.id, { description: 'Chimes hourly' })).errors).toBeUndefined();
      expect(await found('chimes')).toEqual([product.id]);
      expect(await found('ticks')).toEqual([]);
      // A term never spans the name and the description.
      expect(await found('penduleChimes')).toEqual([]);
    });

    it('refuses to update an unknown or deleted product with NOT_FOUND', async () => {
      const deleted = await build.product({ deletedAt: new Date() });
      expect(errorCodes(await updateProduct(randomUUID(), { name: 'x' }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await updateProduct(deleted.id, { name: 'x' }))).toEqual(['NOT_FOUND']);
    });

    it('deletes softly: gone from the storefront and admin lists, the row kept for past orders', async () => {
      const product = await build.product();
      expect((await asAdmin<{ deleteProduct: boolean }>(DeleteProduct, { id: product.id })).data).toEqual({ deleteProduct: true });
      expect((await supergraph.request({ query: ProductQuery, variables: { id: product.id } })).data).toEqual({ product: null });
      const listed = await asAdmin<{ products: { items: Array<{ id: string }> } }>(AdminProducts, { filter: { brand: product.brand } });
      expect(listed.data!.products.items).toEqual([]);
      expect(await supergraph.catalog.prisma.product.findUnique({ where: { id: product.id } })).toMatchObject({ id: product.id, deletedAt: expect.any(Date) });
      // Deleting again answers the same; an id that never existed is not found.
      expect((await asAdmin(DeleteProduct, { id: product.id })).data).toEqual({ deleteProduct: true });
      expect(errorCodes(await asAdmin(DeleteProduct, { id: randomUUID() }))).toEqual(['NOT_FOUND']);
    });

    it('lets only admins write: a shopper gets FORBIDDEN, an anonymous caller UNAUTHENTICATED', async () => {
      const shopper = await signedInUser(supergraph);
      await expectNothingWritten(async () => {
        const input = { name: 'Sneaky', brand: 'Nope', price: '1.00' };
        expect(errorCodes(await supergraph.request({ query: CreateProduct, variables: { input }, headers: shopper.headers }))).toEqual(['FORBIDDEN']);
        expect(errorCodes(await supergraph.request({ query: CreateProduct, variables: { input } }))).toEqual(['UNAUTHENTICATED']);
      });
    });
  });

  describe('categories', () => {
    it('creates roots and children, and refuses a duplicate name under one parent with CONFLICT', async () => {
      const root = (await createCategory({ name: `Root ${randomUUID()}` })).data!.createCategory;
      const child = (await createCategory({ name: 'Lamps', parentId: root.id })).data!.createCategory;
      expect(child.parent).toEqual({ id: root.id });
      await expectNothingWritten(async () => {
        expect(errorCodes(await createCategory({ name: 'Lamps', parentId: root.id }))).toEqual(['CONFLICT']);
        expect(errorCodes(await createCategory({ name: root.name }))).toEqual(['CONFLICT']);
      });
      const otherRoot = (await createCategory({ name: `Root ${randomUUID()}` })).data!.createCategory;
      expect((await createCategory({ name: 'Lamps', parentId: otherRoot.id })).errors).toBeUndefined();
    });

    it('refuses an unknown parent with NOT_FOUND and a malformed one with BAD_USER_INPUT', async () => {
      await expectNothingWritten(async () => {
        expect(errorCodes(await createCategory({ name: 'Orphan', parentId: randomUUID() }))).toEqual(['NOT_FOUND']);
        expect(errorCodes(await createCategory({ name: 'Orphan', parentId: 'x' }))).toEqual(['BAD_USER_INPUT']);
      });
    });

    it('refuses a move that would make a cycle, and writes nothing', async () => {
      const a = await build.category();
      const b = await build.category({ parentId: a.id });
      const c = await build.category({ parentId: b.id });
      await expectNothingWritten(async () => {
        for (const parentId of [c.id, b.id, a.id]) {
          const response = await updateCategory(a.id, { parentId });
          expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
          expect(response.errors![0]!.extensions!.field).toBe('input.parentId');
        }
      });
    });

    it('refuses two concurrent moves that together would make a cycle', async () => {
      const [a, b] = await Promise.all([build.category(), build.category()]);
      const responses = await Promise.all([updateCategory(a.id, { parentId: b.id }), updateCategory(b.id, { parentId: a.id })]);
      expect(responses.map(errorCodes).sort()).toEqual([[], ['BAD_USER_INPUT']]);
    });

    it('moves, renames and makes a root, leaving out fields unchanged', async () => {
      const [a, b] = await Promise.all([build.category({ description: 'kept' }), build.category()]);
      const moved = (await updateCategory(a.id, { parentId: b.id })).data!.updateCategory;
      expect(moved).toMatchObject({ name: a.name, description: 'kept', parent: { id: b.id } });
      const rooted = (await updateCategory(a.id, { parentId: null, name: `Renamed ${randomUUID()}` })).data!.updateCategory;
      expect(rooted).toMatchObject({ description: 'kept', parent: null });
      const events = await supergraph.catalog.prisma.outboxEvent.count({ where: { aggregateId: a.id, topic: 'category.changed' } });
      expect(events).toBe(2);
    });

    it('refuses an unknown category with NOT_FOUND and a null name with BAD_USER_INPUT', async () => {
      const category = await build.category();
      expect(errorCodes(await updateCategory(randomUUID(), { name: 'x' }))).toEqual(['NOT_FOUND']);
      await expectNothingWritten(async () => {
        expect(errorCodes(await updateCategory(category.id, { name: null }))).toEqual(['BAD_USER_INPUT']);
      });
    });
  });

  describe('the stock ledger', () => {
    const adjust = (input: Record<string, unknown>) =>
      asAdmin<{ adjustStock: { product: { stockQuantity: number }; movement: { delta: number; stockAfter: number; reason: string; actorId: string } } }>(AdjustStock, { input });

    it('adjusts stock by a delta with a reason, shows the movement history and the products running low', async () => {
      const product = await build.product({ stockQuantity: 1, brand: `Ledger ${randomUUID()}` });
      const restocked = await adjust({ productId: product.id, delta: 4, reason: 'RESTOCK', note: 'delivery' });
      expect(restocked.errors).toBeUndefined();
      expect(restocked.data!.adjustStock).toMatchObject({
        product: { stockQuantity: 5 },
        movement: { delta: 4, stockAfter: 5, reason: 'RESTOCK', actorId: admin.userId },
      });
      await adjust({ productId: product.id, delta: -3, reason: 'CORRECTION' });

      const history = await asAdmin<{ stockMovements: { items: Array<{ reason: string; delta: number }>; meta: { totalItems: number } } }>(StockMovements, {
        productId: product.id,
      });
      expect(history.data!.stockMovements.items.map((movement) => [movement.reason, movement.delta])).toEqual([
        ['CORRECTION', -3],
        ['RESTOCK', 4],
        ['OPENING', 1],
      ]);
      const low = await asAdmin<{ lowStockProducts: { items: Array<{ id: string; stockQuantity: number }> } }>(LowStockProducts, { below: 3, limit: 100 });
      expect(low.data!.lowStockProducts.items).toContainEqual(expect.objectContaining({ id: product.id, stockQuantity: 2 }));
    });

    it('refuses a delta that would take the stock below zero with STOCK_BELOW_ZERO (409), and writes nothing', async () => {
      const product = await build.product({ stockQuantity: 2 });
      await expectNothingWritten(async () => {
        const response = await adjust({ productId: product.id, delta: -3, reason: 'CORRECTION' });
        expect([response.status, errorCodes(response), response.data]).toEqual([409, ['STOCK_BELOW_ZERO'], null]);
      });
    });
  });
});
