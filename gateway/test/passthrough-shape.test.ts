import { describe, expect, it } from '@jest/globals';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { shapeOf } from '../src/passthrough/shape.js';

const api = buildSchema(`
  interface Node { id: ID! }
  enum Status { ACTIVE RETIRED }
  type Product implements Node { id: ID! name: String! price: Int status: Status! related: [Product!]! node: Node }
  type Query { product(id: ID!): Product products(first: Int = 10): [Product!]! }
`);
/** What a subgraph may declare differently: a non-null price, an enum value the API schema does not show. */
const subgraph = buildSchema(`
  interface Node { id: ID! }
  enum Status { ACTIVE RETIRED HIDDEN }
  type Product implements Node { id: ID! name: String! price: Int! status: Status! related: [Product!]! node: Node }
  type Query { product(id: ID!): Product products(first: Int = 10): [Product!]! }
`);

function shape(schema: GraphQLSchema, source: string) {
  const document = parse(source);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  return shapeOf(schema, schema.getQueryType()!, operation.selectionSet.selections, fragments);
}

describe('the shape of an answer (docs/adr/0048)', () => {
  it('is the same for selections that write the same keys in the same order, however they are spelt', () => {
    const spelt = shape(api, '{ p: product(id: "1") { id ...Named ... on Node { id } } } fragment Named on Product { name }');
    const merged = shape(api, '{ p: product(id: "1") { id name } }');
    expect(spelt).toEqual(merged);
    expect(spelt).toEqual([
      {
        key: 'p',
        field: 'product',
        arguments: 'id:"1"',
        type: 'Product',
        fields: [
          { key: 'id', field: 'id', arguments: '', type: 'ID!', fields: null },
          { key: 'name', field: 'name', arguments: '', type: 'String!', fields: null },
        ],
      },
    ]);
  });

  it('differs when the keys come in another order, or the arguments or aliases differ', () => {
    const base = shape(api, '{ product(id: "1") { id name } }');
    expect(shape(api, '{ product(id: "1") { name id } }')).not.toEqual(base);
    expect(shape(api, '{ product(id: "2") { id name } }')).not.toEqual(base);
    expect(shape(api, '{ product(id: "1") { id title: name } }')).not.toEqual(base);
  });

  it('differs when a subgraph declares a type otherwise: nullability, or an enum value the API schema hides', () => {
    expect(shape(subgraph, '{ product(id: "1") { id } }')).toEqual(shape(api, '{ product(id: "1") { id } }'));
    expect(shape(subgraph, '{ product(id: "1") { price } }')).not.toEqual(shape(api, '{ product(id: "1") { price } }'));
    expect(shape(subgraph, '{ product(id: "1") { status } }')).not.toEqual(shape(api, '{ product(id: "1") { status } }'));
  });

  it('has none for what only a gateway shapes right: a directive, an interface-typed field, a fragment that may not apply', () => {
    expect(shape(api, '{ product(id: "1") { id @include(if: true) } }')).toBeNull();
    expect(shape(api, '{ product(id: "1") { node { id } } }')).toBeNull();
    expect(shape(api, 'query { product(id: "1") { ...Named } } fragment Named on Product @skip(if: false) { name }')).toBeNull();
    expect(shape(api, '{ product(id: "1") { ...Missing } }')).toBeNull();
  });
});
