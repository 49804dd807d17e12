import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  contractOperation,
  postGraphQL,
  startSupergraphProcesses,
  testBackends,
  type GraphQLRequest,
  type ServiceProcess,
  type SupergraphProcesses,
} from '../src/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The line is written once the response is done, and reaches this process through a pipe: it may trail the answer. */
const LINE_DEADLINE_MS = 5_000;

type LogLine = Record<string, unknown>;

const linesOf = (service: ServiceProcess): LogLine[] =>
  service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/** The first line a service logs that `matches`, waiting for it up to the deadline. */
async function lineOf(service: ServiceProcess, matches: (line: LogLine) => boolean): Promise<LogLine> {
  const deadline = Date.now() + LINE_DEADLINE_MS;
  for (;;) {
    const found = linesOf(service).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such line from ${service.service} in:\n${service.output()}`);
    await delay(20);
  }
}

const accessLineOf = (service: ServiceProcess, requestId: string, path = '/graphql') =>
  lineOf(service, (line) => line.msg === 'request' && line.requestId === requestId && line.path === path);

const describeOnPostgres = testBackends().includes('postgres') ? describe : describe.skip;

describeOnPostgres('access logs and request ids, each service a production process', () => {
  let supergraph: SupergraphProcesses;
  const email = 'logged@example.com';
  const password = 'never-in-a-log-123';

  const send = (request: GraphQLRequest) => postGraphQL(supergraph.gateway.url, request);
  const products = (headers: Record<string, string> = {}) => send({ query: contractOperation('frontend', 'Products'), variables: { limit: 5 }, headers });

  beforeAll(async () => {
    supergraph = await startSupergraphProcesses();
  }, 120_000);
  afterAll(() => supergraph?.stop());

  it('keeps a well-formed incoming id, answers it, logs it at the gateway with the operation, and hands it to the subgraph', async () => {
    const client = { 'apollographql-client-name': 'storefront-web', 'apollographql-client-version': '4.2.0' };
    const miss = await products({ 'x-request-id': 'lb-7f3a.91:c-1', ...client });
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-request-id')).toBe('lb-7f3a.91:c-1');
    const hit = await products({ 'x-request-id': 'lb-7f3a.91:c-2', ...client });
    expect(hit.headers.get('x-cache')).toBe('HIT');

    const missLine = await accessLineOf(supergraph.gateway, 'lb-7f3a.91:c-1');
    expect(missLine).toMatchObject({
      service: 'gateway',
      level: 30,
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'Products',
      operationType: 'query',
      clientName: 'storefront-web',
      clientVersion: '4.2.0',
      viewer: 'anonymous',
      cache: 'MISS',
    });
    expect(missLine.durationMs).toEqual(expect.any(Number));
    expect(missLine.cost).toEqual(expect.any(Number));
    expect(missLine.bytes).toBe(Number(miss.headers.get('content-length')));
    expect(missLine).not.toHaveProperty('errorCodes');
    expect(missLine).not.toHaveProperty('traceId');
    // Answered from the cache: Apollo never ran, the front still knows what was asked.
    expect(await accessLineOf(supergraph.gateway, 'lb-7f3a.91:c-2')).toMatchObject({ status: 200, cache: 'HIT', operationName: 'Products', clientName: 'storefront-web' });

    const catalogLine = await accessLineOf(supergraph.catalog, 'lb-7f3a.91:c-1');
    expect(catalogLine).toMatchObject({ service: 'catalog', status: 200, operationType: 'query', viewer: 'anonymous' });
    expect(linesOf(supergraph.catalog).some((line) => line.requestId === 'lb-7f3a.91:c-2')).toBe(false);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'two words'],
    ['with a line break', 'forged\\n{"level":50}'],
    ['with quotes', '"quoted"'],
  ])('replaces an incoming id %s with a fresh one', async (_, incoming) => {
    const response = await products({ 'x-request-id': incoming });
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    expect(await accessLineOf(supergraph.gateway, id)).toMatchObject({ status: 200, operationName: 'Products' });
    expect(supergraph.gateway.output()).not.toContain(incoming);
  });

  it('gives a request that brings no id a fresh UUID of its own', async () => {
    const [first, second] = await Promise.all([products(), products()]);
    const ids = [first.headers.get('x-request-id'), second.headers.get('x-request-id')];
    expect(ids[0]).toMatch(UUID);
    expect(ids[1]).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('logs a sign-in and a signed-in call with the kind of caller, and never the password or a token', async () => {
    const registered = await send({ query: contractOperation('frontend', 'Register'), variables: { input: { email, username: 'logged', password } } });
    expect(registered.errors).toBeUndefined();
    const login = await send({
      query: contractOperation('frontend', 'Login'),
      variables: { input: { email, password } },
      headers: { 'x-request-id': 'sign-in-1' },
    });
    const { accessToken, refreshToken } = (login.data as { login: { accessToken: string; refreshToken: string } }).login;
    const me = await send({ query: contractOperation('frontend', 'Me'), headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'me-1' } });
    expect(me.errors).toBeUndefined();

    expect(await accessLineOf(supergraph.gateway, 'sign-in-1')).toMatchObject({ operationName: 'Login', operationType: 'mutation', viewer: 'anonymous', cache: 'BYPASS' });
    expect(await accessLineOf(supergraph.users, 'sign-in-1')).toMatchObject({ operationType: 'mutation', status: 200 });
    expect(await accessLineOf(supergraph.gateway, 'me-1')).toMatchObject({ operationName: 'Me', viewer: 'user', status: 200 });
    expect(await accessLineOf(supergraph.users, 'me-1')).toMatchObject({ viewer: 'user' });
    // The gateway's check of the bearer token, made while serving the call, carries its id too.
    expect(await accessLineOf(supergraph.users, 'me-1', '/internal/authenticate')).toMatchObject({ status: 200 });
    for (const service of [supergraph.gateway, supergraph.users, supergraph.catalog, supergraph.orders]) {
      const output = service.output();
      for (const secret of [password, accessToken, refreshToken, email]) expect(output).not.toContain(secret);
    }
  });

  it('writes no access line with ACCESS_LOG=false, and still answers the id', async () => {
    const quiet = await supergraph.start('gateway', { ...supergraph.envOf('gateway'), ACCESS_LOG: 'false' });
    const response = await postGraphQL(quiet.url, { query: contractOperation('frontend', 'Categories'), headers: { 'x-request-id': 'quiet-1' } });
    expect(response.headers.get('x-request-id')).toBe('quiet-1');
    // Nothing to wait for: give a line the time the others took to arrive.
    await delay(500);
    expect(linesOf(quiet).filter((line) => line.msg === 'request')).toEqual([]);
  });

  it('logs a refused operation with its code and status, and answers its id', async () => {
    const tooDeep = `query TooDeep { categories { ${'parent { '.repeat(10)}id${' }'.repeat(10)} } }`;
    const refused = await send({ query: tooDeep, headers: { 'x-request-id': 'too-deep-1' } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-request-id')).toBe('too-deep-1');
    expect(await accessLineOf(supergraph.gateway, 'too-deep-1')).toMatchObject({ status: 400, errorCodes: ['MAX_DEPTH_LIMIT'] });
  });

  it('answers and logs the id of a request the HTTP front refuses before GraphQL', async () => {
    const response = await fetch(supergraph.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad-json-1' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe('bad-json-1');
    expect(await accessLineOf(supergraph.gateway, 'bad-json-1')).toMatchObject({ status: 400, errorCodes: ['BAD_REQUEST'] });
  });
});
