import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse } from 'graphql';
import { costDirectivesFromSdl, createCostEstimator } from '../src/index.js';

const costDirectiveDefinitions = `
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`;

const librarySdl = `${costDirectiveDefinitions}
type Query {
  books(limit: Int = 5, first: Int): [Book!]! @listSize(assumedSize: 50, slicingArguments: ["limit", "first"])
  uncapped(limit: Int): [Book!]! @listSize(slicingArguments: ["limit"])
  page(limit: Int = 20): BookPage! @listSize(assumedSize: 100, slicingArguments: ["limit"], sizedFields: ["items"])
  shelves: [Shelf!]!
  search(filter: BookFilter, text: String @cost(weight: 7)): [Book!]! @listSize(assumedSize: 10)
  node(id: ID!): Node
  tags: [String!]!
}

type Mutation {
  borrow(id: ID!, input: BorrowInput): Book! @cost(weight: 20)
}

interface Node {
  id: ID!
}

type Book implements Node {
  id: ID!
  title: String!
  rating: Rating
  author: Author!
}

type Author implements Node @cost(weight: 3) {
  id: ID!
  name: String!
  books: [Book!]!
}

type Shelf {
  books: [Book!]!
}

type BookPage {
  items: [Book!]!
  total: Int!
  editor: Author!
}

scalar Rating @cost(weight: 2)

input BookFilter {
  author: String
}

input BorrowInput {
  days: Int
}
`;

const librarySchema = buildSchema(librarySdl);
const libraryDirectives = costDirectivesFromSdl(parse(librarySdl));
const DEFAULT_LIST_SIZE = 10;

function libraryCost(operation: string, variables?: Record<string, unknown>, defaultListSize = DEFAULT_LIST_SIZE): number {
  return createCostEstimator(libraryDirectives, { defaultListSize }).estimate(librarySchema, parse(operation), undefined, variables);
}

describe('reading @cost and @listSize from SDL', () => {
  it('reads weights of types, fields and arguments, and list sizes', () => {
    expect(libraryDirectives.types).toEqual(new Map([['Author', 3], ['Rating', 2]]));
    expect(libraryDirectives.fields).toEqual(new Map([['Mutation.borrow', 20]]));
    expect(libraryDirectives.arguments).toEqual(new Map([['Query.search(text)', 7]]));
    expect(libraryDirectives.listSizes.get('Query.page')).toEqual({ assumedSize: 100, slicingArguments: ['limit'], sizedFields: ['items'] });
    expect(libraryDirectives.listSizes.get('Query.uncapped')).toEqual({ assumedSize: null, slicingArguments: ['limit'], sizedFields: [] });
  });

  it('reads type extensions and the names a @link gives the directives', () => {
    const directives = costDirectivesFromSdl(
      parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", { name: "@listSize", as: "@size" }])
        extend schema @link(url: "https://specs.apollo.dev/cost/v0.1", as: "demand")
        extend type Query {
          shelves: [Shelf!]! @size(assumedSize: 4) @federation__cost(weight: 6)
          featured: Shelf @demand(weight: 8)
        }
        extend type Shelf @demand(weight: 5) {
          books(first: Int @demand__cost(weight: 2)): [ID!]! @demand__listSize(slicingArguments: ["first"])
        }
      `),
    );
    expect(directives.types).toEqual(new Map([['Shelf', 5]]));
    expect(directives.fields).toEqual(new Map([['Query.shelves', 6], ['Query.featured', 8]]));
    expect(directives.arguments).toEqual(new Map([['Shelf.books(first)', 2]]));
    expect(directives.listSizes).toEqual(
      new Map([
        ['Query.shelves', { assumedSize: 4, slicingArguments: [], sizedFields: [] }],
        ['Shelf.books', { assumedSize: null, slicingArguments: ['first'], sizedFields: [] }],
      ]),
    );
  });
});

describe('estimating an operation', () => {
  it('weighs objects 1, scalars and enums 0, unless @cost says otherwise', () => {
    // node: Node 1 + Book fragment: rating (Rating @cost 2) 2 + author (Author @cost 3) 3 = 6
    expect(libraryCost('{ node(id: "1") { id ... on Book { title rating author { name } } } }')).toBe(6);
  });

  it('assumes the default size for lists without @listSize; lists of scalars cost nothing', () => {
    // shelves: 10 × (Shelf 1 + books: 10 × Book 1) = 110
    expect(libraryCost('{ shelves { books { id } } tags }')).toBe(110);
    expect(libraryCost('{ shelves { books { id } } }', undefined, 3)).toBe(12);
  });

  it('sizes a list by the largest slicing argument, from literals, variables and defaults', () => {
    expect(libraryCost('{ books(limit: 3) { id } }')).toBe(3);
    expect(libraryCost('{ books(limit: 3, first: 8) { id } }')).toBe(8);
    expect(libraryCost('{ books { id } }')).toBe(5); // the argument's default in the schema
    expect(libraryCost('{ books(limit: null) { id } }')).toBe(5);
    const withVariable = 'query ($n: Int) { books(limit: $n) { id } }';
    expect(libraryCost(withVariable, { n: 7 })).toBe(7);
    expect(libraryCost(withVariable, {})).toBe(5);
    const withOperationDefault = 'query ($n: Int = 9) { books(limit: $n) { id } }';
    expect(libraryCost(withOperationDefault, {})).toBe(9);
    expect(libraryCost(withOperationDefault, { n: 12 })).toBe(12);
  });

  it('caps a slicing value at assumedSize, counts negative or non-integer values as 0, and falls back without one', () => {
    expect(libraryCost('{ books(limit: 100000) { id } }')).toBe(50);
    expect(libraryCost('query ($n: Int) { books(limit: $n) { id } }', { n: 100000 })).toBe(50);
    expect(libraryCost('{ books(limit: -4) { id } }')).toBe(0);
    expect(libraryCost('query ($n: Int) { books(limit: $n) { id } }', { n: 2.5 })).toBe(0);
    // Without assumedSize nothing caps it, and without a value the default list size applies.
    expect(libraryCost('{ uncapped(limit: 1000) { id } }')).toBe(1000);
    expect(libraryCost('{ uncapped { id } }')).toBe(DEFAULT_LIST_SIZE);
  });

  it('applies a page size to its sizedFields, including through fragments, and counts the page once', () => {
    // page 1 + items: 30 × Book 1 + total 0 + editor (Author) 3 = 34
    expect(libraryCost('{ page(limit: 30) { items { id } total editor { id } } }')).toBe(34);
    expect(libraryCost('{ page(limit: 30) { ...Items } } fragment Items on BookPage { items { id } }')).toBe(31);
    expect(libraryCost('{ page(limit: 30) { ... on BookPage { ...Items } } } fragment Items on BookPage { items { id } }')).toBe(31);
    // One fragment under two page sizes: (1 + 2) + (1 + 30)
    expect(libraryCost('{ a: page(limit: 2) { ...Items } b: page(limit: 30) { ...Items } } fragment Items on BookPage { items { id } }')).toBe(34);
    // The size stops at the sized field: Book.author's books take the default size.
    // page 1 + items: 2 × (Book 1 + author 3 + books 10 × 1) = 29
    expect(libraryCost('{ page(limit: 2) { items { author { books { id } } } } }')).toBe(29);
  });

  it('leaves out what @skip and @include exclude, literally or through variables', () => {
    const operation = `query ($skip: Boolean!, $include: Boolean = true) {
      books(limit: 3) @skip(if: $skip) { id }
      ... @include(if: $include) { shelves { books { id } } }
      tags @include(if: false)
      page @skip(if: true) { items { id } }
    }`;
    expect(libraryCost(operation, { skip: false })).toBe(3 + 110);
    expect(libraryCost(operation, { skip: true })).toBe(110);
    expect(libraryCost(operation, { skip: true, include: false })).toBe(0);
  });

  it('adds 10 for a mutation, and a field @cost replaces its type weight', () => {
    // 10 + borrow @cost 20
    expect(libraryCost('mutation { borrow(id: "1") { id title } }')).toBe(30);
    // + 1 for the input object argument
    expect(libraryCost('mutation { borrow(id: "1", input: { days: 3 }) { id } }')).toBe(31);
    const withVariable = 'mutation ($input: BorrowInput) { borrow(id: "1", input: $input) { id } }';
    expect(libraryCost(withVariable, { input: { days: 3 } })).toBe(31);
    expect(libraryCost(withVariable, { input: null })).toBe(30);
    expect(libraryCost(withVariable, {})).toBe(30);
  });

  it('adds the @cost of the arguments given', () => {
    // search: 10 × Book 1, + text @cost 7, + filter (an input object) 1
    expect(libraryCost('{ search { id } }')).toBe(10);
    expect(libraryCost('{ search(text: "dune") { id } }')).toBe(17);
    expect(libraryCost('{ search(text: "dune", filter: { author: "Herbert" }) { id } }')).toBe(18);
  });

  it('costs introspection nothing', () => {
    expect(libraryCost('{ __typename __schema { types { name fields { name } } } __type(name: "Book") { name } }')).toBe(0);
    expect(libraryCost('{ books(limit: 2) { __typename id } }')).toBe(2);
  });

  it('reuses one compiled document for every variables and operation name', () => {
    const estimator = createCostEstimator(libraryDirectives, { defaultListSize: DEFAULT_LIST_SIZE });
    const document = parse(`
      query Books($n: Int) { books(limit: $n) { id } }
      query Page($n: Int) { page(limit: $n) { items { author { id } } } }
    `);
    expect(estimator.estimate(librarySchema, document, 'Books', { n: 4 })).toBe(4);
    expect(estimator.estimate(librarySchema, document, 'Books', { n: 40 })).toBe(40);
    expect(estimator.estimate(librarySchema, document, 'Books', undefined)).toBe(5);
    // page 1 + items: n × (Book 1 + author 3)
    expect(estimator.estimate(librarySchema, document, 'Page', { n: 4 })).toBe(17);
    expect(estimator.estimate(librarySchema, document, 'Page', { n: 25 })).toBe(101);
    expect(estimator.estimate(librarySchema, document, 'Books', { n: 4 })).toBe(4);
  });

  it('stays finite when lists nest past the largest number, and 0 when an outer list is empty', () => {
    const deep = 'query ($n: Int) { uncapped(limit: $n) { author { books { author { books { id } } } } } }';
    expect(libraryCost(deep, { n: 1e300 }, 1e200)).toBe(Number.MAX_VALUE);
    expect(libraryCost(deep, { n: 0 }, 1e200)).toBe(0);
  });

  it('evaluates a fragment once per request wherever it is spread, and does not loop on a cycle', () => {
    // F0 = author 3; each Fi spreads F(i-1) twice: F40 = 3 × 2^40, under books(limit: 1) + 1.
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i + 1} on Book { ...F${i} ...F${i} }`).join('\n');
    const started = performance.now();
    expect(libraryCost(`{ books(limit: 1) { ...F40 } } fragment F0 on Book { author { id } } ${fragments}`)).toBe(1 + 3 * 2 ** 40);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Validation refuses a cycle; a spread of a fragment within itself adds nothing.
    // books 1 + A: author 3 + B: books 10 × 1
    expect(libraryCost('{ books(limit: 1) { ...A } } fragment A on Book { author { ...B } } fragment B on Author { books { ...A } }')).toBe(14);
  });
});

describe('the composed supergraph', () => {
  const repoFile = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
  const apiSchema = buildSchema(repoFile('schema/api.graphql'));
  const directives = costDirectivesFromSdl(parse(repoFile('schema/supergraph.graphql')));
  const estimator = createCostEstimator(directives, { defaultListSize: 100 });
  const contract = {
    frontend: parse(repoFile('contract/frontend.graphql')),
    admin: parse(repoFile('contract/admin.graphql')),
    partner: parse(repoFile('contract/partner.graphql')),
  };
  const paged = { assumedSize: 100, slicingArguments: ['limit'], sizedFields: ['items'] };

  it('carries the subgraphs’ @cost and @listSize', () => {
    for (const field of ['Category.products', 'Query.orders', 'User.orders', 'Query.users', 'Query.lowStockProducts', 'Query.stockMovements']) {
      expect(directives.listSizes.get(field)).toEqual(paged);
    }
    // A partner's sync page also lists the products that left the catalog.
    expect(directives.listSizes.get('Query.products')).toEqual({ ...paged, sizedFields: ['items', 'unavailable'] });
    for (const field of ['Query.categories', 'Order.items', 'Cart.items', 'Query.apiKeys']) {
      expect(directives.listSizes.get(field)).toEqual({ assumedSize: 100, slicingArguments: [], sizedFields: [] });
    }
    expect(directives.listSizes.get('Category.children')).toEqual({ assumedSize: 20, slicingArguments: [], sizedFields: [] });
    expect(directives.fields).toEqual(
      new Map([
        ['Mutation.checkout', 20],
        ['Mutation.placeOrder', 20],
        ['Mutation.register', 50],
        ['Mutation.login', 50],
        ['Mutation.changePassword', 50],
        ['Mutation.deleteAccount', 50],
        ['Mutation.requestPasswordReset', 50],
        ['Mutation.resetPassword', 50],
      ]),
    );
    expect(costDirectivesFromSdl(parse(repoFile('subgraphs/catalog/src/schema.graphql'))).listSizes.get('Query.products')).toEqual({ ...paged, sizedFields: ['items', 'unavailable'] });
  });

  it('pins the cost of the contract operations', () => {
    // products: ProductPage 1 + items: limit × (Product 1 + price 1 + category 1) + meta 1.
    // {limit: 20}: 1 + 20 × 3 + 1 = 62; {limit: 100}: 1 + 100 × 3 + 1 = 302.
    expect(estimator.estimate(apiSchema, contract.frontend, 'Products', { limit: 20 })).toBe(62);
    expect(estimator.estimate(apiSchema, contract.frontend, 'Products', { limit: 100 })).toBe(302);
    // Never more than a full page, whatever the limit asked for: the subgraph clamps it to 100.
    expect(estimator.estimate(apiSchema, contract.frontend, 'Products', { limit: 100_000 })).toBe(302);

    // me: User 1
    //   + cart: Cart 1 + items: 100 × (CartItem 1 + product (1 + price 1) + lineTotal 1) + subtotal 1 = 1 + 400 + 1 = 402
    //   + orders(limit: 10): OrderPage 1 + meta 1
    //       + items: 10 × (Order 1 + total 1 + items: 100 × (OrderItem 1 + unitPrice 1 + lineTotal 1 + product 1))
    //       = 1 + 10 × (2 + 400) + 1 = 4022
    // = 1 + 402 + 4022 = 4425
    expect(estimator.estimate(apiSchema, contract.frontend, 'Me', {})).toBe(4425);

    // orders: OrderPage 1 + meta 1
    //   + items: 100 × (Order 1 + user 1 + total 1 + items: 100 × (OrderItem 1 + product 1))
    // = 1 + 100 × (3 + 200) + 1 = 20302
    expect(estimator.estimate(apiSchema, contract.admin, 'AllOrders', { limit: 100 })).toBe(20302);

    // products: ProductPage 1 + items: 100 × (Product 1 + price 1 + category 1) + meta 1 = 302
    expect(estimator.estimate(apiSchema, contract.partner, 'PartnerCatalog', { limit: 100 })).toBe(302);

    // mutation 10 + login (@cost 50) + user 1 + the input object argument 1 = 62
    const credentials = { input: { email: 'alice@example.com', password: 'demo-password-123' } };
    expect(estimator.estimate(apiSchema, contract.frontend, 'Login', credentials)).toBe(62);
  });

  it('gives 12 nested pages an astronomically large but finite cost', () => {
    let selection = 'id';
    for (let level = 0; level < 12; level += 1) selection = `products(limit: 100) { items { category { ${selection} } } }`;
    // Each level: 1 + 100 × (Product 1 + Category 1 + the level below), about 100^12.
    const cost = estimator.estimate(apiSchema, parse(`{ ${selection} }`), undefined, {});
    expect(Number.isFinite(cost)).toBe(true);
    expect(cost).toBeGreaterThan(1e24);
  });
});
