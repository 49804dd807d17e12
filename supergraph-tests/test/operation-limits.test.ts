import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema, getIntrospectionQuery, Kind, parse, print, validate } from 'graphql';
import { operationLimitsSchema, parseConfig } from '@shop/config';
import { structuralLimitRules } from '@shop/graphql-kit';
import { contractFiles, errorCodes, readContract, startTestSupergraph, oneTestBackend, type GraphQLResponse, type TestSupergraph } from '../src/index.js';

const defaults = parseConfig(operationLimitsSchema, {});

/** An operation `depth` fields deep, counting the leaf (as graphql-armor does): `parent` under `categories`. */
const nested = (depth: number) => `{ categories { ${'parent { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;

describe('the default operation limits and the client contract', () => {
  const apiSchema = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));

  // The defaults should refuse little more than the contract needs, and never the contract:
  // each of its operations stays this far inside every bound.
  const headroom = { maxTokens: 800, maxDepth: 4, maxAliases: 15, maxRootFields: 9, maxDirectives: 50 };

  it.each(contractFiles)('every operation of contract/%s.graphql passes with headroom to spare', (file) => {
    const tighter = {
      maxTokens: defaults.maxTokens - headroom.maxTokens,
      maxDepth: defaults.maxDepth - headroom.maxDepth,
      maxAliases: defaults.maxAliases - headroom.maxAliases,
      maxRootFields: defaults.maxRootFields - headroom.maxRootFields,
      maxDirectives: defaults.maxDirectives - headroom.maxDirectives,
    };
    const document = parse(readContract(file));
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) expect(() => parse(print(definition), { maxTokens: tighter.maxTokens })).not.toThrow();
    }
    const errors = validate(apiSchema, document, structuralLimitRules(tighter));
    expect(errors.map((error) => error.message)).toEqual([]);
  });
});

describe.each([oneTestBackend()])('operation limits at the gateway (%s)', (backend) => {
  let supergraph: TestSupergraph;

  beforeAll(async () => {
    // No response cache: its event feed reader would call the subgraphs while the counters are read.
    supergraph = await startTestSupergraph(backend, { responseCache: false });
  });
  afterAll(() => supergraph?.stop());

  const subgraphRequests = () => supergraph.users.usage().requests + supergraph.catalog.usage().requests + supergraph.orders.usage().requests;

  /** Sends an anonymous request and checks that it was refused with `code` before any subgraph saw it. */
  async function expectRefused(request: Parameters<TestSupergraph['request']>[0], code: string): Promise<GraphQLResponse> {
    const before = subgraphRequests();
    const response = await supergraph.request(request);
    expect(errorCodes(response)).toEqual([code]);
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|at \w+ \(/);
    expect(subgraphRequests()).toBe(before);
    return response;
  }

  it('answers an operation at the depth limit and refuses one level deeper', async () => {
    const atLimit = await supergraph.request({ query: nested(defaults.maxDepth) });
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data).toEqual({ categories: [] });
    const refused = await expectRefused({ query: nested(defaults.maxDepth + 1) }, 'MAX_DEPTH_LIMIT');
    expect(refused.errors![0]!.message).toBe(`Query depth limit of ${defaults.maxDepth} exceeded, found ${defaults.maxDepth + 1}.`);
  });

  it('counts depth through fragments', async () => {
    const fragment = `fragment Up on Category { ${'parent { '.repeat(defaults.maxDepth)}id${' }'.repeat(defaults.maxDepth)} }`;
    await expectRefused({ query: `query Deep { categories { ...Up } } ${fragment}` }, 'MAX_DEPTH_LIMIT');
  });

  it('refuses nesting 500 levels deep without parsing all of it', async () => {
    await expectRefused({ query: nested(500) }, 'MAX_TOKENS_LIMIT');
  });

  it('refuses more aliases than the limit', async () => {
    const aliases = (count: number) => Array.from({ length: count }, (_, index) => `a${index}: id`).join(' ');
    expect((await supergraph.request({ query: `{ categories { ${aliases(defaults.maxAliases)} } }` })).errors).toBeUndefined();
    await expectRefused({ query: `{ categories { ${aliases(defaults.maxAliases + 1)} } }` }, 'MAX_ALIASES_LIMIT');
    const orders = Array.from({ length: 2_000 }, (_, index) => `m${index}: me { orders { items { id } } }`).join(' ');
    await expectRefused({ query: `{ ${orders} }` }, 'MAX_TOKENS_LIMIT');
  });

  it('refuses more root fields than the limit, counting those fragments bring', async () => {
    const rootFields = Array.from({ length: defaults.maxRootFields + 1 }, () => 'categories { id }');
    await expectRefused({ query: `{ ${rootFields.join(' ')} }` }, 'MAX_ROOT_FIELDS_LIMIT');
    await expectRefused({ query: `query Q { ...Roots } fragment Roots on Query { ${rootFields.join(' ')} }` }, 'MAX_ROOT_FIELDS_LIMIT');
  });

  it('refuses more directives than the limit', async () => {
    const fields = Array.from({ length: defaults.maxDirectives + 1 }, () => 'id @include(if: true)').join(' ');
    await expectRefused({ query: `{ categories { ${fields} } }` }, 'MAX_DIRECTIVES_LIMIT');
  });

  it('refuses a document of more tokens than the limit', async () => {
    await expectRefused({ query: `{ categories { ${'id '.repeat(defaults.maxTokens)}} }` }, 'MAX_TOKENS_LIMIT');
  });

  it('refuses variables larger than the limit', async () => {
    const query = 'query Search($filter: ProductFilter) { products(filter: $filter) { items { id } } }';
    const response = await expectRefused(
      { query, variables: { filter: { search: 'x'.repeat(defaults.maxVariablesBytes) } } },
      'VARIABLES_TOO_LARGE',
    );
    expect(response.errors![0]!.message).toMatch(/^Variables of \d+ bytes are above the limit of 65536$/);
  });

  it('lets the full introspection query through, as Sandbox and codegen send it', async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const response = await supergraph.request<{ __schema: { types: unknown[] } }>({ query });
    expect(response.errors).toBeUndefined();
    expect(response.data!.__schema.types.length).toBeGreaterThan(20);
  });

  it('still tells a misspelt field from a limit', async () => {
    const response = await supergraph.request({ query: '{ categories { nmae } }' });
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('goes on answering after a burst of refused operations', async () => {
    const refused = await Promise.all(Array.from({ length: 50 }, (_, index) => supergraph.request({ query: nested(defaults.maxDepth + 1 + index) })));
    expect(new Set(refused.map((response) => response.status))).toEqual(new Set([400]));
    expect((await supergraph.request({ query: '{ categories { id } }' })).data).toEqual({ categories: [] });
  });
});
