import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Headers fetch sets itself for the onward request. */
const SET_BY_FETCH = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** One request as it crossed the wire: what someone listening between two services could copy. */
export interface TappedRequest {
  method: string;
  /** Path and query, as the request line carried them. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Wiretap {
  /** Point a caller here instead of at the target: same paths, same answers. */
  url: string;
  readonly requests: readonly TappedRequest[];
  stop(): Promise<void>;
}

/**
 * Passes every request on to the real service unchanged and keeps a copy: an eavesdropper
 * on the network between gateway and subgraph, for tests of what a captured token allows.
 */
export function startWiretap(targetUrl: string): Promise<Wiretap> {
  const target = new URL(targetUrl);
  const requests: TappedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', async () => {
      const tapped: TappedRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')])),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(tapped);
      const headers = Object.entries(tapped.headers).filter(([name]) => !SET_BY_FETCH.has(name));
      try {
        const answer = await fetch(new URL(tapped.path, target), {
          method: tapped.method,
          headers,
          body: tapped.method === 'GET' ? undefined : tapped.body,
        });
        const body = Buffer.from(await answer.arrayBuffer());
        const cacheControl = answer.headers.get('cache-control');
        response.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
          ...(cacheControl ? { 'cache-control': cacheControl } : {}),
          'content-length': body.length,
        });
        response.end(body);
      } catch {
        response.writeHead(502).end();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: new URL(`${target.pathname}${target.search}`, `http://127.0.0.1:${port}`).toString(),
        requests,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
