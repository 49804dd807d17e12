import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KeyRing } from '@shop/config';
import { StockApi } from '@shop/contracts';
import { GATEWAY_TOKEN_HEADER, InternalCallFailed, internalClient, verifyGatewayToken } from '../src/index.js';

const signing = { kid: 'test', secret: new TextEncoder().encode(randomBytes(32).toString('hex')) };
const keys: KeyRing = { signing, verifying: new Map([[signing.kid, signing]]) };
const productId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const product = { id: productId, name: 'Lamp', price: '19.90', currency: 'EUR', stockQuantity: 3, orderable: true };

/**
 * A stand-in for a subgraph's internal endpoint (the client's own behaviour is under test,
 * not a service's): it answers what the test asks, after checking the token as subgraphs do.
 */
type Answer = (request: IncomingMessage, body: string, response: ServerResponse) => Promise<void> | void;
let answer: Answer;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => void answer(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function json(response: ServerResponse, status: number, value: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
const catalog = (timeoutMs = 2_000) => internalClient({ baseUrl, audience: 'catalog', keys, timeoutMs });
const failureOf = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => error as InternalCallFailed,
  );

describe('internalClient', () => {
  it('signs each call for its audience, method, path and exact body, and answers the checked answer', async () => {
    let verified: unknown;
    answer = async (request, body, response) => {
      verified = await verifyGatewayToken(keys, request.headers[GATEWAY_TOKEN_HEADER] as string, {
        audience: 'catalog',
        request: { method: request.method!, path: request.url!, body },
      });
      json(response, 200, { products: [product] });
    };
    await expect(catalog()(StockApi.lookup, { ids: [productId] })).resolves.toEqual({ products: [product] });
    expect(verified).toEqual({ viewer: { kind: 'anonymous' }, clientIp: null });
  });

  it('refuses an answer its endpoint does not promise, naming the field', async () => {
    answer = (_request, _body, response) => json(response, 200, { products: [{ ...product, price: 19.9 }] });
    const failure = await failureOf(catalog()(StockApi.lookup, { ids: [productId] }));
    expect(failure).toBeInstanceOf(InternalCallFailed);
    expect(failure.reason).toBe('malformed');
    expect(failure.message).toContain('products.0.price');
  });

  it('fails with the status of an answer other than 200', async () => {
    answer = (_request, _body, response) => json(response, 503, { error: 'SERVICE_UNAVAILABLE' });
    const failure = await failureOf(catalog()(StockApi.lookup, { ids: [] }));
    expect([failure.reason, failure.status]).toEqual(['status', 503]);
  });

  it('gives up at its deadline on a server that never answers', async () => {
    answer = () => undefined;
    const started = performance.now();
    const failure = await failureOf(catalog(300)(StockApi.lookup, { ids: [] }));
    const elapsed = performance.now() - started;
    expect(failure.reason).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("stops at once when the caller's signal aborts", async () => {
    answer = () => undefined;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const failure = await failureOf(catalog(10_000)(StockApi.lookup, { ids: [] }, { signal: stop.signal }));
    expect(failure.reason).toBe('stopped');
  });

  it('tells an unreachable service apart', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const call = internalClient({ baseUrl: `http://127.0.0.1:${port}/graphql`, audience: 'catalog', keys, timeoutMs: 2_000 });
    expect((await failureOf(call(StockApi.lookup, { ids: [] }))).reason).toBe('unreachable');
  });
});
