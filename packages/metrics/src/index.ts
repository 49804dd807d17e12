import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsEndpointConfig } from '@shop/config';
import type { Logger } from '@shop/logging';
import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The label value of everything past a label's bound: an unknown operation, a client beyond the first ones seen. */
export const OTHER = 'other';

/** A registry of one service, with Node's process metrics (CPU, memory, event loop lag, GC). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** What can be a label value at all: short, plain text. */
const PLAIN_VALUE = /^[A-Za-z0-9_.:@/-]{1,64}$/;

/**
 * The values a label may take, so that no caller can multiply the series: the known ones,
 * then the first `admitMore` others seen; anything else is `other`.
 */
export class BoundedLabel {
  private readonly admitted: Set<string>;
  private room: number;

  constructor(known: Iterable<string>, admitMore = 0) {
    this.admitted = new Set(known);
    this.room = admitMore;
  }

  valueOf(value: string | undefined | null, missing: string): string {
    if (!value) return missing;
    if (this.admitted.has(value)) return value;
    if (this.room > 0 && PLAIN_VALUE.test(value)) {
      this.room -= 1;
      this.admitted.add(value);
      return value;
    }
    return OTHER;
  }
}

/** The text exposition of every metric, as GET /metrics answers it. */
export async function exposition(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

function bearerMatches(request: IncomingMessage, token: string): boolean {
  const sent = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

export interface RunningMetricsServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * GET /metrics on a port of its own, apart from the public one: a firewall or a network
 * policy keeps it private, and a token (when configured) keeps out whoever reaches it anyway.
 */
export function startMetricsServer(registry: Registry, endpoint: MetricsEndpointConfig, logger: Logger): Promise<RunningMetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    if (endpoint.token && !bearerMatches(request, endpoint.token)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    exposition(registry).then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        response.writeHead(500).end();
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint.port, endpoint.host, () => {
      const { port } = server.address() as AddressInfo;
      const url = `http://${endpoint.host}:${port}/metrics`;
      logger.info({ url }, 'metrics served');
      resolve({
        url,
        stop: () => {
          const closed = new Promise<void>((done) => server.close(() => done()));
          server.closeAllConnections();
          return closed;
        },
      });
    });
  });
}
