import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneTestBackend, startTestSupergraph, type TestSupergraph } from '../src/index.js';

/** What the gateway's HTTP front does before GraphQL sees a request. */
describe('the gateway over HTTP', () => {
  let supergraph: TestSupergraph;
  const post = (body: string | Buffer) => fetch(supergraph.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    supergraph = await startTestSupergraph(oneTestBackend());
  });
  afterAll(() => supergraph?.stop());

  it('refuses a body that is not JSON with BAD_REQUEST', async () => {
    const response = await post('{"query": ');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a body over 1 MiB with 413 and goes on serving', async () => {
    const response = await post(JSON.stringify({ query: `{ __typename }${' '.repeat(1024 * 1024)}` }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ message: 'Request body too large', extensions: { code: 'BAD_REQUEST' } }] });
    const next = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(await next.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a GET query from its query string, with a known length', async () => {
    const url = new URL(supergraph.gatewayUrl);
    url.searchParams.set('query', '{ __typename }');
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ data: { __typename: 'Query' } });
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
  });

  it('serves /health whatever its query string, and 404 elsewhere', async () => {
    expect((await fetch(new URL('/health?probe=1', supergraph.gatewayUrl))).status).toBe(200);
    expect((await fetch(new URL('/nowhere?graphql', supergraph.gatewayUrl))).status).toBe(404);
  });
});
