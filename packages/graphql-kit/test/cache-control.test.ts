import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { applyStaticCacheHints, staticCacheControl } from '../src/cache-control.js';
import { pluginOf } from '../src/request-hooks.js';

// The hints our subgraphs use: types with a maxAge, values inheriting it, a private field,
// a field that must not be cached, an object type without a hint, entities of both scopes.
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

  type Money @shareable @cacheControl(inheritMaxAge: true) { amount: String! }
  type Product @key(fields: "id") @cacheControl(maxAge: 60) {
    id: ID!
    name: String!
    price: Money!
    stock: Int @cacheControl(scope: PRIVATE)
    related: [Product!]!
    seller: Seller
  }
  type Seller { name: String! }
  type Page @cacheControl(inheritMaxAge: true) { items: [Product!]! nextCursor: String @cacheControl(maxAge: 0) }
  type User @key(fields: "id") @cacheControl(maxAge: 30, scope: PRIVATE) { id: ID! name: String! }
  type Query {
    product(id: ID!): Product @cacheControl(maxAge: 60)
    page(empty: Boolean): Page! @cacheControl(maxAge: 90)
    plain: String
    seller: Seller
    failing: String
  }
`);

const product = (id: string) => ({ id, name: `Product ${id}`, price: { amount: '1.00' }, stock: 3, related: [], seller: { name: 'S' } });
const resolvers = {
  Query: {
    product: (_: unknown, { id }: { id: string }) => (id === 'missing' ? null : product(id)),
    page: (_: unknown, { empty }: { empty?: boolean }) => ({ items: empty ? [] : [product('1'), product('2')], nextCursor: null }),
    plain: () => 'plain',
    seller: async () => ({ name: 'S' }),
    failing: () => {
      throw new Error('no');
    },
  },
  Product: { __resolveReference: async ({ id }: { id: string }) => product(id) },
  User: { __resolveReference: ({ id }: { id: string }) => ({ id, name: 'U' }) },
};

const apollos = () => buildSubgraphSchema({ typeDefs, resolvers });
const withApollosPlugin = new ApolloServer({ schema: apollos() });
const withStaticHints = new ApolloServer({
  schema: applyStaticCacheHints(apollos()),
  plugins: [ApolloServerPluginCacheControlDisabled(), pluginOf([staticCacheControl()])],
});

async function cacheControl(server: ApolloServer, query: string, variables?: Record<string, unknown>) {
  const response = await server.executeOperation({ query, variables });
  return response.http.headers.get('cache-control');
}

const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { name price { amount } } ... on User { name } } }';

describe('Cache-Control from static @cacheControl hints', () => {
  it.each([
    ['a product and values inheriting its age', '{ product(id: "1") { id name price { amount } } }', undefined, 'max-age=60, public'],
    ['a private field among public ones', '{ product(id: "1") { name stock } }', undefined, 'max-age=60, private'],
    ['a product not found', '{ product(id: "missing") { name stock } }', undefined, 'max-age=60, public'],
    ['a nested object type without a hint', '{ product(id: "1") { seller { name } } }', undefined, 'no-store'],
    ['a nested list of entities, empty', '{ product(id: "1") { related { name stock } } }', undefined, 'max-age=60, public'],
    ['a page inheriting its field age', '{ page { items { name price { amount } } } }', undefined, 'max-age=60, public'],
    ['an empty page with a private field below', '{ page(empty: true) { items { stock } } }', undefined, 'max-age=60, public'],
    ['a field that must not be cached', '{ page { nextCursor items { name } } }', undefined, 'no-store'],
    ['a root scalar without a hint', '{ plain }', undefined, 'no-store'],
    ['a root object without a hint', '{ seller { name } }', undefined, 'no-store'],
    ['an error', '{ product(id: "1") { name } failing }', undefined, 'no-store'],
    ['entities of one public type', entities, { r: [{ __typename: 'Product', id: '1' }] }, 'max-age=60, public'],
    ['entities of a public and a private type', entities, { r: [{ __typename: 'Product', id: '1' }, { __typename: 'User', id: '2' }] }, 'max-age=30, private'],
    ['no entities', entities, { r: [] }, 'no-store'],
    ['a service query', '{ _service { sdl } }', undefined, 'no-store'],
  ])('%s: the header Apollo\'s cache-control plugin sets', async (_case, query, variables, expected) => {
    expect(await cacheControl(withApollosPlugin, query, variables)).toBe(expected);
    expect(await cacheControl(withStaticHints, query, variables)).toBe(expected);
  });
});
