import { describe, expect, it } from '@jest/globals';
import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';
import { selectsAny } from '../src/selection.js';

const schema = buildSchema(`
  type Query { page: Page }
  type Page { items: [Item!]! meta: Meta! }
  type Item { id: ID! lines: [Line!]! }
  type Line { id: ID! price: String }
  type Meta { total: Int current: Int }
`);

/** The info the `page` resolver gets for this operation. */
function pageInfo(document: string): GraphQLResolveInfo {
  let seen: GraphQLResolveInfo | undefined;
  execute({ schema, document: parse(document), rootValue: { page: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => ((seen = info), null) } });
  return seen!;
}

describe('selectsAny', () => {
  it('finds a leaf under a path of fields, written out or through named and inline fragments', () => {
    expect(selectsAny(pageInfo('{ page { meta { total } } }'), ['meta'], ['total', 'pages'])).toBe(true);
    expect(selectsAny(pageInfo('{ page { ...P } } fragment P on Page { meta { ... on Meta { total } } }'), ['meta'], ['total'])).toBe(true);
    expect(selectsAny(pageInfo('{ page { items { lines { price } } } }'), ['items', 'lines'], ['price'])).toBe(true);
    expect(selectsAny(pageInfo('{ page { items { id } } }'), [], ['items'])).toBe(true);
  });

  it('answers false when the leaf is not asked for, or only elsewhere', () => {
    expect(selectsAny(pageInfo('{ page { meta { current } } }'), ['meta'], ['total'])).toBe(false);
    expect(selectsAny(pageInfo('{ page { items { id } } }'), ['items', 'lines'], ['price'])).toBe(false);
    expect(selectsAny(pageInfo('{ page { items { lines { id } } meta { total } } }'), ['items', 'lines'], ['total'])).toBe(false);
  });
});
