import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, signedInUser, startTestSupergraph, testBackends, type SignedIn, type TestSupergraph } from '../src/index.js';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPE_LOOKUP = '{ __type(name: "Product") { name } }';

describe.each(testBackends())('the gateway in production mode (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let admin: SignedIn;
  let shopper: SignedIn;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, { production: true });
    [admin, shopper] = await Promise.all([signedInUser(supergraph, 'ADMIN'), signedInUser(supergraph)]);
  });
  afterAll(() => supergraph?.stop());

  it('lets admins introspect', async () => {
    const response = await supergraph.request({ query: INTROSPECTION, headers: admin.headers });
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('refuses introspection to everyone else', async () => {
    expect(errorCodes(await supergraph.request({ query: INTROSPECTION }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await supergraph.request({ query: TYPE_LOOKUP, headers: shopper.headers }))).toEqual(['FORBIDDEN']);
  });

  it('still answers __typename, which clients add to every selection', async () => {
    const response = await supergraph.request({ query: '{ categories { __typename id } }' });
    expect(response.errors).toBeUndefined();
  });

  it('does not suggest field names in validation errors', async () => {
    const response = await supergraph.request({ query: '{ product(id: "x") { nam } }' });
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.errors![0]!.message).not.toMatch(/Did you mean/);
  });

  it('serves the Sandbox landing page to admins only', async () => {
    const page = (headers: Record<string, string> = {}) => fetch(supergraph.gatewayUrl, { headers: { accept: 'text/html', ...headers } });
    const anonymous = await page();
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).not.toMatch(/sandbox/i);
    expect((await page(shopper.headers)).status).toBe(403);
    const forAdmin = await page(admin.headers);
    expect(forAdmin.status).toBe(200);
    expect(await forAdmin.text()).toMatch(/sandbox/i);
  });
});

describe('the gateway in development', () => {
  let supergraph: TestSupergraph;

  beforeAll(async () => {
    supergraph = await startTestSupergraph('pglite');
  });
  afterAll(() => supergraph?.stop());

  it('lets anyone introspect and open Sandbox, and suggests field names', async () => {
    expect((await supergraph.request({ query: INTROSPECTION })).errors).toBeUndefined();
    expect((await fetch(supergraph.gatewayUrl, { headers: { accept: 'text/html' } })).status).toBe(200);
    const response = await supergraph.request({ query: '{ product(id: "x") { nam } }' });
    expect(response.errors![0]!.message).toMatch(/Did you mean "name"/);
  });
});
