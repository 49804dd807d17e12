import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders, type CatalogBuilders } from '@shop/catalog/testing';
import { contractOperation, errorCodes, startTestSupergraph, testBackends, type TestSupergraph } from '../src/index.js';

const Products = contractOperation('frontend', 'Products');
const Product = contractOperation('frontend', 'Product');
const Categories = contractOperation('frontend', 'Categories');
const CategoryProducts = contractOperation('frontend', 'CategoryProducts');

interface ProductItem {
  id: string;
  name: string;
  brand: string;
  inStock: boolean;
  price: { amount: string; currency: string };
  category: { id: string; name: string } | null;
}
interface ProductsData {
  products: {
    items: ProductItem[];
    meta: { totalItems: number; currentPage: number; totalPages: number; itemsPerPage: number };
  };
}

describe.each(testBackends())('the public catalog through the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: CatalogBuilders;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = catalogBuilders(supergraph.catalog.prisma);
  });
  afterAll(() => supergraph?.stop());

  const products = (variables: Record<string, unknown>) =>
    supergraph.request<ProductsData>({ query: Products, variables });

  async function productNames(filter: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const response = await products({ filter, limit: 100, ...extra });
    expect(response.errors).toBeUndefined();
    return response.data!.products.items.map((item) => item.name);
  }

  describe('filters', () => {
    it('matches a category and all of its descendants', async () => {
      const root = await build.category();
      const child = await build.category({ parentId: root.id });
      const grandchild = await build.category({ parentId: child.id });
      const other = await build.category();
      const inRoot = await build.product({ categoryId: root.id });
      const inChild = await build.product({ categoryId: child.id });
      const inGrandchild = await build.product({ categoryId: grandchild.id });
      await build.product({ categoryId: other.id });

      expect((await productNames({ categoryId: root.id })).sort()).toEqual(
        [inRoot.name, inChild.name, inGrandchild.name].sort(),
      );
      expect((await productNames({ categoryId: child.id })).sort()).toEqual([inChild.name, inGrandchild.name].sort());
      expect(await productNames({ categoryId: grandchild.id })).toEqual([inGrandchild.name]);
    });

    it('matches a brand exactly, whatever its case', async () => {
      const category = await build.category();
      const brand = `Northwind ${category.id.slice(0, 6)}`;
      const ours = await build.product({ categoryId: category.id, brand });
      await build.product({ categoryId: category.id, brand: `${brand} Labs` });

      expect(await productNames({ categoryId: category.id, brand: brand.toUpperCase() })).toEqual([ours.name]);
      expect(await productNames({ categoryId: category.id, brand: 'Northwind' })).toEqual([]);
    });

    it('matches LIKE wildcards in a brand literally', async () => {
      const category = await build.category();
      const ours = await build.product({ categoryId: category.id, brand: '100%_Wool' });
      await build.product({ categoryId: category.id, brand: '100 Wool' });
      await build.product({ categoryId: category.id, brand: '100xxWool' });

      expect(await productNames({ categoryId: category.id, brand: '100%_wool' })).toEqual([ours.name]);
      expect(await productNames({ categoryId: category.id, brand: '100%' })).toEqual([]);
      expect(await productNames({ categoryId: category.id, brand: '100__Wool' })).toEqual([]);
      expect(await productNames({ categoryId: category.id, brand: '%' })).toEqual([]);
    });

    it('keeps prices within an inclusive range given as strings or numbers', async () => {
      const category = await build.category();
      const [, ten, fifteen] = await Promise.all(
        ['5.00', '10.00', '15.50', '20.00'].map((price) => build.product({ categoryId: category.id, price })),
      );

      const names = await productNames({ categoryId: category.id, minPrice: '10', maxPrice: 15.5 }, { sort: 'PRICE_ASC' });
      expect(names).toEqual([ten!.name, fifteen!.name]);
      expect(await productNames({ categoryId: category.id, minPrice: 20.01 })).toEqual([]);
    });

    it('searches name and description case-insensitively, every word', async () => {
      const category = await build.category();
      const byName = await build.product({ categoryId: category.id, name: `Zephyr Desk Lamp ${category.id.slice(0, 4)}` });
      const byDescription = await build.product({ categoryId: category.id, description: 'Glows like a ZEPHYR at dusk' });
      await build.product({ categoryId: category.id, name: 'Plain Chair', description: 'Nothing to see' });
      const wildcard = await build.product({ categoryId: category.id, name: 'Discount 100% cotton' });

      expect((await productNames({ categoryId: category.id, search: 'zephyr' })).sort()).toEqual(
        [byName.name, byDescription.name].sort(),
      );
      expect(await productNames({ categoryId: category.id, search: 'zEpHyR lamp' })).toEqual([byName.name]);
      // LIKE wildcards in the search text are matched literally.
      expect(await productNames({ categoryId: category.id, search: '100%' })).toEqual([wildcard.name]);
      expect(await productNames({ categoryId: category.id, search: '_' })).toEqual([]);
    });

    it('filters on stock', async () => {
      const category = await build.category();
      const available = await build.product({ categoryId: category.id, stockQuantity: 3 });
      const soldOut = await build.product({ categoryId: category.id, stockQuantity: 0 });

      expect(await productNames({ categoryId: category.id, inStock: true })).toEqual([available.name]);
      expect(await productNames({ categoryId: category.id, inStock: false })).toEqual([soldOut.name]);
      const all = await products({ filter: { categoryId: category.id }, sort: 'NAME_ASC' });
      const stockById = Object.fromEntries(all.data!.products.items.map((item) => [item.id, item.inStock]));
      expect(stockById).toEqual({ [available.id]: true, [soldOut.id]: false });
    });
  });

  it('sorts by price, name and recency', async () => {
    const category = await build.category();
    const day = (n: number) => new Date(Date.UTC(2026, 0, n));
    const banana = await build.product({ categoryId: category.id, name: 'Banana', price: '3.00', createdAt: day(2) });
    const apple = await build.product({ categoryId: category.id, name: 'Apple', price: '7.25', createdAt: day(1) });
    const cherry = await build.product({ categoryId: category.id, name: 'Cherry', price: '1.10', createdAt: day(3) });
    const sorted = (sort: string) => productNames({ categoryId: category.id }, { sort });

    expect(await sorted('PRICE_ASC')).toEqual([cherry.name, banana.name, apple.name]);
    expect(await sorted('PRICE_DESC')).toEqual([apple.name, banana.name, cherry.name]);
    expect(await sorted('NAME_ASC')).toEqual(['Apple', 'Banana', 'Cherry']);
    expect(await sorted('NAME_DESC')).toEqual(['Cherry', 'Banana', 'Apple']);
    expect(await sorted('NEWEST')).toEqual([cherry.name, banana.name, apple.name]);
    // NEWEST is the default.
    expect(await productNames({ categoryId: category.id })).toEqual([cherry.name, banana.name, apple.name]);
  });

  describe('pagination', () => {
    it('reports totals and pages', async () => {
      const category = await build.category();
      for (let n = 0; n < 5; n += 1) await build.product({ categoryId: category.id, name: `Item ${n}` });

      const last = await products({ filter: { categoryId: category.id }, page: 3, limit: 2, sort: 'NAME_ASC' });
      expect(last.data!.products.meta).toEqual({ totalItems: 5, currentPage: 3, totalPages: 3, itemsPerPage: 2 });
      expect(last.data!.products.items.map((item) => item.name)).toEqual(['Item 4']);

      const beyond = await products({ filter: { categoryId: category.id }, page: 9, limit: 2 });
      expect(beyond.data!.products.items).toEqual([]);
      expect(beyond.data!.products.meta.totalItems).toBe(5);

      const defaults = await products({ filter: { categoryId: category.id } });
      expect(defaults.data!.products.meta).toEqual({ totalItems: 5, currentPage: 1, totalPages: 1, itemsPerPage: 20 });
    });

    it('caps limit at 100', async () => {
      const response = await products({ limit: 1000 });
      expect(response.errors).toBeUndefined();
      expect(response.data!.products.meta.itemsPerPage).toBe(100);
    });

    it.each([
      ['page below 1', { page: 0 }],
      ['a negative page', { page: -3 }],
      ['limit below 1', { limit: 0 }],
    ])('refuses %s with BAD_USER_INPUT', async (_case, variables) => {
      const response = await products(variables);
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.data).toBeNull();
    });
  });

  it('hides inactive and deleted products from the public', async () => {
    const category = await build.category();
    const active = await build.product({ categoryId: category.id });
    const inactive = await build.product({ categoryId: category.id, isActive: false });
    const deleted = await build.product({ categoryId: category.id, deletedAt: new Date() });

    expect(await productNames({ categoryId: category.id })).toEqual([active.name]);
    expect(await productNames({ categoryId: category.id, isActive: false })).toEqual([active.name]);
    for (const hidden of [inactive, deleted]) {
      const response = await supergraph.request({ query: Product, variables: { id: hidden.id } });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ product: null });
    }
    const listing = await supergraph.request<{ category: { products: { items: Array<{ id: string }> } } }>({
      query: CategoryProducts,
      variables: { id: category.id },
    });
    expect(listing.data!.category.products.items.map((item) => item.id)).toEqual([active.id]);
  });

  it('keeps decimals exact', async () => {
    const category = await build.category();
    const laptop = await build.product({ categoryId: category.id, price: '1199.99', currency: 'EUR' });
    const round = await build.product({ categoryId: category.id, price: '1199.9' });

    const response = await supergraph.request<{ product: { price: unknown } }>({ query: Product, variables: { id: laptop.id } });
    expect(response.data!.product.price).toEqual({ amount: '1199.99', currency: 'EUR' });
    const rounded = await supergraph.request<{ product: { price: unknown } }>({ query: Product, variables: { id: round.id } });
    expect(rounded.data!.product.price).toEqual({ amount: '1199.90', currency: 'USD' });
    // An exact bound selects exactly: no float rounding on the way in.
    expect(await productNames({ categoryId: category.id, minPrice: '1199.99', maxPrice: 1199.99 })).toEqual([laptop.name]);
  });

  describe('the contract operations', () => {
    it('Product reads a product with its category and parent', async () => {
      const parent = await build.category();
      const category = await build.category({ parentId: parent.id });
      const product = await build.product({ categoryId: category.id, imageUrl: 'https://img.example/p.jpg', stockQuantity: 0 });

      const response = await supergraph.request({ query: Product, variables: { id: product.id } });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        product: {
          id: product.id,
          name: product.name,
          description: product.description,
          brand: product.brand,
          imageUrl: 'https://img.example/p.jpg',
          inStock: false,
          price: { amount: '10.00', currency: 'USD' },
          category: { id: category.id, name: category.name, parent: { id: parent.id, name: parent.name } },
          createdAt: product.createdAt.toISOString(),
          updatedAt: product.updatedAt.toISOString(),
        },
      });
    });

    it('Products lists products with their category', async () => {
      const category = await build.category();
      const product = await build.product({ categoryId: category.id });
      const response = await products({ filter: { categoryId: category.id } });
      expect(response.data!.products.items).toEqual([
        expect.objectContaining({ id: product.id, category: { id: category.id, name: category.name } }),
      ]);
    });

    it('Categories lists the tree, roots first', async () => {
      const root = await build.category({ description: 'the root' });
      const child = await build.category({ parentId: root.id });
      const response = await supergraph.request<{
        categories: Array<{ id: string; description: string | null; parent: { id: string } | null; children: Array<{ id: string }> }>;
      }>({ query: Categories });
      expect(response.errors).toBeUndefined();
      const categories = response.data!.categories;
      const rootEntry = categories.find((entry) => entry.id === root.id);
      const childEntry = categories.find((entry) => entry.id === child.id);
      expect(rootEntry).toMatchObject({ description: 'the root', parent: null, children: [{ id: child.id, name: child.name }] });
      expect(childEntry).toMatchObject({ parent: { id: root.id }, children: [] });
      const firstChild = categories.findIndex((entry) => entry.parent !== null);
      expect(categories.slice(firstChild).every((entry) => entry.parent !== null)).toBe(true);
    });

    it('CategoryProducts pages through a category and its descendants', async () => {
      const root = await build.category();
      const child = await build.category({ parentId: root.id });
      await build.product({ categoryId: root.id });
      await build.product({ categoryId: child.id, stockQuantity: 0 });
      await build.product({ categoryId: child.id, price: '0.99' });

      const response = await supergraph.request<{
        category: { id: string; products: { items: Array<{ inStock: boolean }>; meta: unknown } };
      }>({ query: CategoryProducts, variables: { id: root.id, page: 1, limit: 2 } });
      expect(response.errors).toBeUndefined();
      expect(response.data!.category.id).toBe(root.id);
      expect(response.data!.category.products.items).toHaveLength(2);
      expect(response.data!.category.products.meta).toEqual({ totalItems: 3, totalPages: 2 });
    });
  });

  describe('bad input', () => {
    const noLeak = (body: unknown) => {
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/stack|prisma|postgres|pglite|\.ts:|node_modules|SELECT /i);
    };

    it('reads an unknown id as null, with no error', async () => {
      const product = await supergraph.request({ query: Product, variables: { id: '00000000-0000-4000-8000-000000000000' } });
      expect(product.errors).toBeUndefined();
      expect(product.data).toEqual({ product: null });
      const category = await supergraph.request({ query: CategoryProducts, variables: { id: '00000000-0000-4000-8000-000000000000' } });
      expect(category.errors).toBeUndefined();
      expect(category.data).toEqual({ category: null });
    });

    it.each([
      ['a malformed product id', Product, { id: 'not-an-id' }],
      ['a malformed category id', CategoryProducts, { id: "1' OR '1'='1" }],
      ['a malformed category filter', Products, { filter: { categoryId: '42' } }],
      ['a negative minimum price', Products, { filter: { minPrice: '-1' } }],
      ['a negative maximum price', Products, { filter: { maxPrice: -0.01 } }],
      ['a minimum above the maximum', Products, { filter: { minPrice: '20', maxPrice: '10' } }],
      ['a price that is not a number', Products, { filter: { minPrice: 'ten' } }],
      ['an infinite price', Products, { filter: { minPrice: '1e999999' } }],
      ['an unknown sort', Products, { sort: 'CHEAPEST' }],
      ['a search of 500 characters', Products, { filter: { search: 'x'.repeat(500) } }],
    ])('refuses %s with BAD_USER_INPUT', async (_case, query, variables) => {
      const response = await supergraph.request({ query, variables });
      expect(response.status).toBeLessThan(500);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      noLeak(response);
    });

    it('answers malformed requests with a GraphQL error, never a 500', async () => {
      const broken = await fetch(supergraph.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": ',
      });
      expect(broken.status).toBe(400);
      noLeak(await broken.json());
      const unknownField = await supergraph.request({ query: '{ products { items { secret } } }' });
      expect(unknownField.status).toBe(400);
      expect(errorCodes(unknownField)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });
  });
});
