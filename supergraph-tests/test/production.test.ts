import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getIntrospectionQuery } from 'graphql';
import { DEMO_ADMIN, DEMO_PASSWORD } from '@shop/users';
import {
  contractOperation,
  errorCodes,
  keyRingVariable,
  postGraphQL,
  postToSubgraph,
  startServiceProcess,
  startSupergraphProcesses,
  startTestSupergraph,
  testBackends,
  testKeyRing,
  type GraphQLRequest,
  type SupergraphProcesses,
  type TestSupergraph,
} from '../src/index.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;
const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPE_LOOKUP = '{ __type(name: "Product") { name } }';
const STOREFRONT = 'https://shop.example';
/** What a browser sends when it opens the page: no credentials, HTML first. */
const BROWSER_PAGE_LOAD = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' };

/** A repository script run as an operator runs it (`npm run ...`), with only this environment and this standard input. */
function runScript(script: string, env: Record<string, string>, input = ''): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'scripts', script)], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/** One POST over node:http, which (unlike fetch) hands back the body's bytes as they were sent. */
function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.once('error', reject);
    request.end(body);
  });
}

const decoders: Record<string, (body: Buffer) => Buffer> = { gzip: gunzipSync, br: brotliDecompressSync, identity: (body) => body };

const describeOnPostgres = testBackends().includes('postgres') ? describe : describe.skip;

describeOnPostgres('the supergraph as production runs it (NODE_ENV=production, each service a process)', () => {
  let supergraph: SupergraphProcesses;
  const adminEmail = 'ops@shop.example';
  let admin: Record<string, string>;
  let shopper: Record<string, string>;

  const send = (request: GraphQLRequest) => postGraphQL(supergraph.gateway.url, request);
  const login = (email: string, password: string) =>
    postGraphQL<{ login: { accessToken: string; user: { role: string } } }>(supergraph.gateway.url, {
      query: contractOperation('frontend', 'Login'),
      variables: { input: { email, password } },
    });
  const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });
  const adminCommand = (env: Record<string, string>, input?: string) =>
    runScript('admin-create.ts', { NODE_ENV: 'production', USERS_DATABASE_URL: supergraph.envOf('users').USERS_DATABASE_URL!, ...env }, input);

  beforeAll(async () => {
    supergraph = await startSupergraphProcesses({ envOf: { gateway: { CORS_ORIGINS: STOREFRONT } } });
    const created = await adminCommand({ ADMIN_EMAIL: adminEmail }, 'the-first-admin-password\n');
    expect(created).toMatchObject({ code: 0, output: expect.stringContaining(`Admin ${adminEmail} created`) });
    const signedIn = await login(adminEmail, 'the-first-admin-password');
    if (!signedIn.data) throw new Error(`the new admin cannot sign in: ${JSON.stringify(signedIn.errors)}`);
    admin = bearer(signedIn.data.login.accessToken);
    const registered = await send({
      query: contractOperation('frontend', 'Register'),
      variables: { input: { email: 'shopper@shop.example', username: 'shopper', password: 'a-shopper-password' } },
    });
    shopper = bearer((registered.data as { register: { accessToken: string } }).register.accessToken);
  }, 180_000);
  afterAll(() => supergraph?.stop());

  describe('the first admin, and no demo data', () => {
    it('makes an admin (password on standard input) who signs in through the gateway', async () => {
      expect((await login(adminEmail, 'the-first-admin-password')).data?.login.user.role).toBe('ADMIN');
    });

    it('resets the password when run again (ADMIN_PASSWORD): the old one no longer signs in, its sessions are over', async () => {
      const email = 'reset@shop.example';
      expect((await adminCommand({ ADMIN_EMAIL: email }, 'the-first-admin-password\n')).code).toBe(0);
      const before = await login(email, 'the-first-admin-password');
      const reset = await adminCommand({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'the-second-admin-password' });
      expect(reset).toMatchObject({ code: 0, output: expect.stringContaining(`Admin ${email} reset`) });
      expect(errorCodes(await login(email, 'the-first-admin-password'))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await send({ query: '{ me { id } }', headers: bearer(before.data!.login.accessToken) }))).toEqual(['UNAUTHENTICATED']);
      expect((await login(email, 'the-second-admin-password')).data?.login.user.role).toBe('ADMIN');
    });

    it('refuses a short password and names the variable', async () => {
      const refused = await adminCommand({ ADMIN_EMAIL: adminEmail }, 'short\n');
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/ADMIN_PASSWORD: must be at least 12 characters/);
    });

    it('holds no demo account: `npm run db:seed` loads nothing with the defaults, and refuses SEED_DEMO_DATA=true', async () => {
      const databases = { NODE_ENV: 'production', USERS_DATABASE_URL: supergraph.envOf('users').USERS_DATABASE_URL!, CATALOG_DATABASE_URL: supergraph.envOf('catalog').CATALOG_DATABASE_URL! };
      expect((await runScript('db-seed.ts', databases)).code).toBe(0);
      const asked = await runScript('db-seed.ts', { ...databases, SEED_DEMO_DATA: 'true' });
      expect(asked.code).not.toBe(0);
      expect(asked.output).toMatch(/SEED_DEMO_DATA: is refused in production/);
      for (const [email, password] of [[DEMO_ADMIN.email, DEMO_ADMIN.password], ['alice@example.com', DEMO_PASSWORD], ['partner@example.com', DEMO_PASSWORD]]) {
        expect(errorCodes(await login(email!, password!))).toEqual(['UNAUTHENTICATED']);
      }
    });
  });

  describe('admins in production', () => {
    it('serves the Sandbox page to a browser opening it, with no credentials', async () => {
      const page = await fetch(supergraph.gateway.url, { headers: BROWSER_PAGE_LOAD });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toMatch(/embeddable-sandbox/);
    });

    it('lets an admin introspect the whole schema, as Sandbox asks for it', async () => {
      const response = await send({ query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), headers: admin });
      expect(response.errors).toBeUndefined();
      const types = (response.data as { __schema: { types: Array<{ name: string }> } }).__schema.types.map((type) => type.name);
      expect(types).toEqual(expect.arrayContaining(['Product', 'Order', 'User']));
    });

    it('refuses introspection to a shopper (403 FORBIDDEN) and to anonymous callers (401 UNAUTHENTICATED)', async () => {
      const anonymous = await send({ query: INTROSPECTION });
      expect({ status: anonymous.status, codes: errorCodes(anonymous), data: anonymous.data ?? null }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'], data: null });
      const asShopper = await send({ query: TYPE_LOOKUP, headers: shopper });
      expect({ status: asShopper.status, codes: errorCodes(asShopper), data: asShopper.data ?? null }).toEqual({ status: 403, codes: ['FORBIDDEN'], data: null });
    });

    it('still answers __typename, which clients add to every selection', async () => {
      expect((await send({ query: '{ categories { __typename id } }' })).errors).toBeUndefined();
    });

    it('suggests no field names in validation errors', async () => {
      const response = await send({ query: '{ product(id: "x") { nam } }', headers: admin });
      expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors![0]!.message).not.toMatch(/Did you mean/);
    });
  });

  describe('browsers on other origins (CORS_ORIGINS)', () => {
    const preflight = (origin: string) =>
      fetch(supergraph.gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,apollographql-client-name,apollographql-client-version,x-request-id,apollo-require-preflight,traceparent',
        },
      });

    it('answers a preflight from an allowed origin, allowing the headers a storefront sends, without cookies', async () => {
      const response = await preflight(STOREFRONT);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(STOREFRONT);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
      const allowed = response.headers.get('access-control-allow-headers')!.split(',');
      for (const header of ['authorization', 'content-type', 'apollographql-client-name', 'apollographql-client-version', 'x-request-id', 'apollo-require-preflight', 'traceparent']) {
        expect(allowed).toContain(header);
      }
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/Origin/);
    });

    it('gives another origin no Access-Control-Allow-Origin, on its preflight or its request', async () => {
      const refused = await preflight('https://elsewhere.example');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('vary')).toMatch(/Origin/);
      const request = await send({ query: '{ categories { id } }', headers: { origin: 'https://elsewhere.example' } });
      expect(request.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets the allowed origin read the answer and its request id', async () => {
      const response = await send({ query: '{ categories { id } }', headers: { origin: STOREFRONT } });
      expect(response.headers.get('access-control-allow-origin')).toBe(STOREFRONT);
      expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id.*x-trace-id/);
    });
  });

  describe('compressed answers', () => {
    beforeAll(async () => {
      const category = await send({ query: contractOperation('admin', 'CreateCategory'), variables: { input: { name: 'Lamps' } }, headers: admin });
      const categoryId = (category.data as { createCategory: { id: string } }).createCategory.id;
      for (let index = 0; index < 12; index += 1) {
        const input = { name: `Desk lamp ${index}`, description: `A lamp that lights a desk, model ${index}.`, brand: 'Lumen', price: `${20 + index}.00`, categoryId, stockQuantity: 5 };
        const created = await send({ query: contractOperation('admin', 'CreateProduct'), variables: { input }, headers: admin });
        expect(created.errors).toBeUndefined();
      }
      // The creations reach the gateway's cache as purges through the event feed: a listing that stays cached has seen them all.
      const listing = () => send({ query: contractOperation('frontend', 'Products'), variables: { limit: 3 } });
      for (let attempt = 0; ; attempt += 1) {
        await listing();
        await delay(500);
        if ((await listing()).headers.get('x-cache') === 'HIT') break;
        if (attempt === 20) throw new Error('the product listing never stayed cached');
      }
    });

    it('decode to the same JSON as the uncompressed answer, gzip and brotli, for a miss and for cache hits', async () => {
      const body = JSON.stringify({ query: contractOperation('frontend', 'Products'), variables: { limit: 12, filter: { search: 'desk lamp' } } });
      const answers = [];
      for (const encoding of ['gzip', 'br', 'gzip', 'br', 'identity']) {
        const response = await rawPost(supergraph.gateway.url, body, { 'accept-encoding': encoding });
        answers.push({ encoding, response, json: JSON.parse(decoders[encoding]!(response.body).toString('utf8')) as unknown });
      }
      expect(answers.map(({ response }) => [response.status, response.headers['x-cache'], response.headers['content-encoding'] ?? 'identity'])).toEqual([
        [200, 'MISS', 'gzip'],
        [200, 'HIT', 'br'],
        [200, 'HIT', 'gzip'],
        [200, 'HIT', 'br'],
        [200, 'HIT', 'identity'],
      ]);
      const plain = answers.at(-1)!;
      expect(plain.response.body.length).toBeGreaterThan(1024);
      expect((plain.json as { data: { products: { items: unknown[] } } }).data.products.items).toHaveLength(12);
      for (const { json, response } of answers) {
        expect(json).toEqual(plain.json);
        expect(response.headers.vary).toMatch(/Accept-Encoding/);
        expect(Number(response.headers['content-length'])).toBe(response.body.length);
      }
      expect(answers[1]!.response.body.length).toBeLessThan(plain.response.body.length / 2);
    });

    it('prefers brotli when the client takes both equally, and leaves small answers alone', async () => {
      const large = JSON.stringify({ query: contractOperation('frontend', 'Products'), variables: { limit: 12, filter: { search: 'desk lamp' } } });
      expect((await rawPost(supergraph.gateway.url, large, { 'accept-encoding': 'gzip, deflate, br' })).headers['content-encoding']).toBe('br');
      const small = await rawPost(supergraph.gateway.url, JSON.stringify({ query: '{ categories { id } }' }), { 'accept-encoding': 'gzip, br' });
      expect(small.headers['content-encoding']).toBeUndefined();
    });
  });
});

describe('production defaults on the embedded database', () => {
  it('seeds no demo account when the users subgraph starts in production', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'prod-embedded-'));
    const gatewayKeys = testKeyRing();
    const users = await startServiceProcess({
      service: 'users',
      env: { NODE_ENV: 'production', DATA_DIR: dataDir, USERS_PORT: '0', GATEWAY_TOKEN_KEYS: keyRingVariable(gatewayKeys), ACCESS_TOKEN_KEYS: keyRingVariable(testKeyRing()) },
    });
    try {
      const login = (email: string, password: string) =>
        postToSubgraph('users', users.url, gatewayKeys, { query: contractOperation('frontend', 'Login'), variables: { input: { email, password } } });
      expect(errorCodes(await login(DEMO_ADMIN.email, DEMO_ADMIN.password))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await login('alice@example.com', DEMO_PASSWORD))).toEqual(['UNAUTHENTICATED']);
    } finally {
      await users.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the gateway in development', () => {
  let supergraph: TestSupergraph;

  beforeAll(async () => {
    supergraph = await startTestSupergraph('pglite');
  });
  afterAll(() => supergraph?.stop());

  it('lets anyone introspect and open Sandbox, suggests field names, and allows loopback origins', async () => {
    expect((await supergraph.request({ query: INTROSPECTION })).errors).toBeUndefined();
    expect((await fetch(supergraph.gatewayUrl, { headers: BROWSER_PAGE_LOAD })).status).toBe(200);
    const response = await supergraph.request({ query: '{ product(id: "x") { nam } }' });
    expect(response.errors![0]!.message).toMatch(/Did you mean "name"/);
    const fromDevServer = await supergraph.request({ query: '{ categories { id } }', headers: { origin: 'http://localhost:5173' } });
    expect(fromDevServer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});
