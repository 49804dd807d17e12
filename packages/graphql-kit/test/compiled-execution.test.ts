import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import { compiledExecution } from '../src/compiled-execution.js';
import { DecimalScalar } from '../src/scalars.js';

/** More runs than graphql-js makes before an operation is compiled: the last ones are graphql-jit's. */
const RUNS = 5;

const typeDefs = /* GraphQL */ `
  scalar Decimal
  interface Node { id: ID! }
  type Product implements Node { id: ID! name: String! price: Decimal! tags: [String!]! }
  type Shelf implements Node { id: ID! products: [Product!]! }
  type Query {
    nodes(ids: [ID!]!): [Node]!
    product(id: ID!): Product
    failing: Product
    refused: Product
  }
`;

const products = new Map([
  ['p1', { id: 'p1', name: 'Kettle', price: '19.90', tags: ['kitchen'] }],
  ['p2', { id: 'p2', name: 'Lamp', price: '45.00', tags: [] }],
]);
const shelves = new Map([['s1', { id: 's1', products: [...products.values()] }]]);

const schema = buildSubgraphSchema({
  typeDefs: parse(typeDefs),
  resolvers: {
    Decimal: DecimalScalar,
    Node: { __resolveType: (node: { id: string }) => (node.id.startsWith('s') ? 'Shelf' : 'Product') },
    Query: {
      nodes: (_source, { ids }: { ids: string[] }) => ids.map((id) => products.get(id) ?? shelves.get(id) ?? null),
      product: async (_source, { id }: { id: string }) => products.get(id) ?? null,
      failing: async () => {
        throw Object.assign(new Error('connection reset by peer at 10.0.0.7'), { code: 'ECONNRESET' });
      },
      refused: () => {
        throw new GraphQLError('Not yours', { extensions: { code: 'FORBIDDEN' } });
      },
    },
  } as GraphQLResolverMap<unknown>,
});

/** An Apollo Server on compiledExecution whose formatError records what it was given. */
async function serverRecordingErrors() {
  const formatted: Array<{ formatted: GraphQLFormattedError; error: unknown }> = [];
  const server = new ApolloServer({
    gateway: compiledExecution(schema),
    formatError: (formattedError, error) => {
      formatted.push({ formatted: formattedError, error });
      return formattedError;
    },
  });
  await server.start();
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const { body, http } = await server.executeOperation({ query, variables });
    if (body.kind !== 'single') throw new Error('expected a single result');
    return { ...body.singleResult, status: http.status ?? 200 };
  };
  return { server, run, formatted };
}

async function everyRun(run: () => Promise<unknown>) {
  const results = [];
  for (let index = 0; index < RUNS; index++) results.push(await run());
  return results;
}

describe('compiledExecution', () => {
  it('answers a repeated operation the same on every run, once compiled as before', async () => {
    const { server, run } = await serverRecordingErrors();
    const query = `query Nodes($ids: [ID!]!) {
      nodes(ids: $ids) { __typename id ... on Product { name price tags } ... on Shelf { products { name kettle: price } } }
      missing: product(id: "p9") { id }
    }`;
    const results = await everyRun(() => run(query, { ids: ['p1', 's1', 'nope', 'p2'] }));

    expect(results[0]).toEqual({
      data: {
        nodes: [
          { __typename: 'Product', id: 'p1', name: 'Kettle', price: '19.90', tags: ['kitchen'] },
          { __typename: 'Shelf', id: 's1', products: [{ name: 'Kettle', kettle: '19.90' }, { name: 'Lamp', kettle: '45.00' }] },
          null,
          { __typename: 'Product', id: 'p2', name: 'Lamp', price: '45.00', tags: [] },
        ],
        missing: null,
      },
      status: 200,
    });
    for (const result of results.slice(1)) expect(JSON.stringify(result)).toBe(JSON.stringify(results[0]));
    await server.stop();
  });

  it('hands formatError every thrown error as a GraphQLError with its original, on every run', async () => {
    const { server, run, formatted } = await serverRecordingErrors();
    const results = await everyRun(() => run('{ failing { id } refused { id } }'));

    const inPathOrder = (result: unknown) => {
      const { data, status, errors = [] } = result as { data: unknown; status: number; errors?: GraphQLFormattedError[] };
      return { data, status, errors: [...errors].sort((one, other) => String(one.path).localeCompare(String(other.path))) };
    };
    expect(inPathOrder(results[0])).toEqual({
      data: { failing: null, refused: null },
      status: 200,
      errors: [
        { message: 'connection reset by peer at 10.0.0.7', locations: [{ line: 1, column: 3 }], path: ['failing'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        { message: 'Not yours', locations: [{ line: 1, column: 18 }], path: ['refused'], extensions: { code: 'FORBIDDEN' } },
      ],
    });
    for (const result of results.slice(1)) expect(inPathOrder(result)).toEqual(inPathOrder(results[0]));
    expect(formatted).toHaveLength(2 * RUNS);
    for (const { error } of formatted.filter(({ formatted }) => formatted.path?.[0] === 'failing')) {
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).originalError).toMatchObject({ code: 'ECONNRESET' });
    }
    await server.stop();
  });

  it('keeps a field aliased __proto__ as a key of the answer', async () => {
    const { server, run } = await serverRecordingErrors();
    const results = await everyRun(() => run('{ product(id: "p1") { __proto__: name id } }'));

    for (const result of results) expect(JSON.stringify(result)).toBe('{"data":{"product":{"__proto__":"Kettle","id":"p1"}},"status":200}');
    await server.stop();
  });

  it('answers bad variables with the same errors once compiled', async () => {
    const { server, run } = await serverRecordingErrors();
    const results = await everyRun(() => run('query Product($id: ID!) { product(id: $id) { id } }', { id: { not: 'an id' } }));

    expect(results[0]).toMatchObject({ status: 400, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(results[0]).not.toHaveProperty('data');
    for (const result of results.slice(1)) expect(result).toEqual(results[0]);
    await server.stop();
  });
});
