import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTraceReceiver, type TraceReceiver } from '@shop/testing';
import { startTracing, traceRequest, type Tracing } from '../src/index.js';

/**
 * Who decides whether a request is recorded (docs/adr/0023): a service that begins traces
 * (the gateway) by its own sampler alone, whatever the caller's traceparent says; a service
 * that continues its caller's (a subgraph, called by the gateway) follows the caller.
 * Here the sampler keeps nothing it decides itself (parentbased_always_off).
 */
describe("a request's trace and the caller's traceparent", () => {
  let receiver: TraceReceiver;
  let tracing: Tracing | null;
  const servers: Server[] = [];
  const clientTrace = '0af7651916cd43dd8448eb211c80319c';
  const sampledParent = `00-${clientTrace}-b7ad6b7169203331-01`;

  /** A GET with node:http: fetch is undici, whose instrumentation (on in this process) would put its own traceparent in the request. */
  const getWithParent = (url: string) =>
    new Promise<{ headers: IncomingHttpHeaders; body: unknown }>((resolve, reject) => {
      get(url, { headers: { traceparent: sampledParent } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ headers: response.headers, body: JSON.parse(text) }));
      }).once('error', reject);
    });

  /** A server whose requests are traced as the HTTP front traces them; resolves with its URL. */
  async function serve(continueCaller: boolean): Promise<string> {
    const server = createServer((request, response) => {
      const traced = traceRequest(request, response, { path: '/graphql', requestId: 'r-1', continueCaller });
      traced.run(() => response.end(JSON.stringify({ traceId: traced.traceId })));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }

  beforeAll(async () => {
    receiver = await startTraceReceiver();
    tracing = await startTracing({
      tracesUrl: `${receiver.endpoint}/v1/traces`,
      protocol: 'http/json',
      serviceName: 'front',
      sampler: { parentBased: true, ratio: 0 },
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await receiver.stop();
  });

  it("records nothing for a client's sampled traceparent where the sampler would not, and answers no trace id", async () => {
    const response = await getWithParent(await serve(false));
    expect(response.headers['x-trace-id']).toBeUndefined();
    expect(response.body).toEqual({ traceId: null });
  });

  it("continues a trusted caller's sampled trace: same trace id, the caller's span as parent, exported", async () => {
    const response = await getWithParent(await serve(true));
    expect(response.headers['x-trace-id']).toBe(clientTrace);
    expect(response.body).toEqual({ traceId: clientTrace });
    // Flushes the batch: every span ended so far is exported.
    await tracing!.shutdown();
    await delay(50);
    expect(receiver.spans()).toEqual([
      expect.objectContaining({ service: 'front', traceId: clientTrace, parentSpanId: 'b7ad6b7169203331', name: 'GET /graphql', kind: 2 }),
    ]);
  });
});
