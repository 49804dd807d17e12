import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { CorsConfig } from '@shop/config';
import { inRequestScope, REQUEST_ID_HEADER, type Logger, type RequestScope } from '@shop/logging';
import { ApolloErrorCode, ErrorCode } from '@shop/errors';
import { traceRequest } from '@shop/tracing';
import { logAccessWhenDone, noteRequestedOperation, registerRequestScope, requestIdFrom } from './access-log.js';
import { answerCompression, type AnswerCompression } from './compression.js';
import { crossOriginPolicy } from './cors.js';
import { CSRF_REFUSAL, mayBeCrossSiteForgery } from './csrf.js';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How long a stopping server keeps kept-alive connections that look idle, so that requests
 * already on their way are read and answered (within the drain; not when it cuts at once).
 */
const IDLE_CLOSE_GRACE_MS = 1_000;

/** A GraphQL request as it arrived: the parts its answer depends on. */
export interface GraphQLRequestParts {
  method: string;
  search: string;
  body: unknown;
}

/** A complete GraphQL HTTP answer, its body as the bytes to send. */
export interface GraphQLAnswer {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  /** Set when the same key always comes with the same body (a response-cache hit): its compressed forms are kept. */
  reuseKey?: string;
}

/**
 * A JSON endpoint beside GraphQL (POST only); it answers with a status and a JSON body.
 * `rawBody` is the body's text as it arrived, for checks bound to the exact request.
 */
export type RouteHandler = (request: IncomingMessage, body: unknown, rawBody: string) => Promise<{ status: number; body: unknown }>;

export interface HttpServerOptions<Context extends BaseContext> {
  apollo: ApolloServer<Context>;
  /**
   * `rawBody`: the body's text as it arrived ('' for GET), for checks bound to the exact request;
   * `scope`: the request's id and access record. The context built is registered as the
   * request's (requestScopeOf), for the plugins that note on its access line.
   */
  context: (request: IncomingMessage, rawBody: string, scope: RequestScope) => Promise<Context>;
  /**
   * Whether the request's scope is also kept in the async context (AsyncLocalStorage), for code
   * deep in its handling that has neither the request nor its context: a subgraph's resolvers,
   * its database layer, the lines it logs. True unless false. On Node 20 it costs a hook on every
   * promise the process makes; the gateway passes the scope explicitly instead (docs/adr/0047).
   */
  asyncRequestScope?: boolean;
  /** Answers GET /ready and its alias GET /health: 200 when ready, 503 otherwise, with the details. */
  readiness: () => Promise<Readiness>;
  /** When set, browsers may call GraphQL from the origins it allows (docs/adr/0024). */
  cors?: CorsConfig;
  /** Compress GraphQL answers of 1 KiB or more with gzip or brotli, as the client accepts (docs/adr/0024). */
  compress?: boolean;
  /** Extra POST endpoints by path, for service-to-service calls. */
  routes?: Record<string, RouteHandler>;
  /** An answer for a GraphQL request before its body is read (a caller turned away); null to go on. */
  turnAway?: (request: IncomingMessage) => Promise<GraphQLAnswer | null>;
  /** Wraps the execution of each GraphQL request (a response cache answers without executing). */
  aroundGraphQL?: (request: IncomingMessage, parts: GraphQLRequestParts, execute: () => Promise<GraphQLAnswer>) => Promise<GraphQLAnswer>;
  /** Wraps the handling of each request (to account for the work it causes). */
  aroundRequest?: (handle: () => Promise<void>) => Promise<void>;
  /** When set, GET /metrics on this port answers with it (development only: in production metrics have a port of their own). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  host: string;
  port: number;
  logger: Logger;
  /** One info line per request answered (probes aside), when it is done (docs/adr/0022). */
  accessLog: boolean;
  /** Continue the caller's trace (traceparent): subgraphs, called by the gateway only. The gateway begins its own (docs/adr/0023). */
  continueTraces?: boolean;
}

/** Whether a service can serve, and the state of what it depends on (the body of GET /ready). */
export interface Readiness {
  ready: boolean;
  checks: Record<string, unknown>;
}

export interface StopOptions {
  /**
   * How long requests in flight may take to be answered before their connections are cut;
   * 0 (the default) cuts them at once, as a crash would.
   */
  drainMs?: number;
}

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /**
   * Stops accepting connections and turns /ready to 503 at once, closes idle keep-alive
   * connections after a short grace (requests arriving on them meanwhile are answered), answers
   * the requests in flight (each with `Connection: close`) for up to `drainMs`, then cuts what
   * is left.
   */
  stop(options?: StopOptions): Promise<void>;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: ErrorCode | ApolloErrorCode = ApolloErrorCode.BAD_REQUEST,
  ) {
    super(message);
  }
}

// Events rather than `for await`: an async iterator per request is measurable on the cache-hit path.
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        reject(new RequestError(413, 'Request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function parseBody(request: IncomingMessage, raw: string): unknown {
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.includes('json')) return raw === '' ? undefined : raw;
  try {
    return raw === '' ? undefined : JSON.parse(raw);
  } catch {
    throw new RequestError(400, 'Request body is not valid JSON');
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendRequestError(response: ServerResponse, error: RequestError) {
  sendJson(response, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
}

async function handleGraphQL<Context extends BaseContext>(
  options: HttpServerOptions<Context>,
  request: IncomingMessage,
  response: ServerResponse,
  search: string,
  compress: AnswerCompression | null,
  scope: RequestScope,
) {
  const send = async (answer: GraphQLAnswer) => sendAnswer(response, compress ? await compress(request, response, answer) : answer);
  // Before anything can answer it, cache included. A GET without an operation only asks for the landing page.
  const params = request.method === 'GET' ? new URLSearchParams(search) : null;
  const mayRunOperation = !params || params.has('query') || params.has('extensions');
  if (mayRunOperation && mayBeCrossSiteForgery(request.headers)) throw new RequestError(400, CSRF_REFUSAL);
  const early = await options.turnAway?.(request);
  if (early) {
    request.resume(); // the body is not read, only drained, so the connection can serve the next request
    return send(early);
  }
  const rawBody = request.method === 'POST' ? await readBody(request) : '';
  const parts: GraphQLRequestParts = {
    method: request.method ?? 'GET',
    search,
    body: request.method === 'POST' ? parseBody(request, rawBody) : undefined,
  };
  const named = (params ? Object.fromEntries(params) : parts.body) as { operationName?: unknown; query?: unknown } | null | undefined;
  noteRequestedOperation(scope, named?.operationName, named?.query);
  const execute = async (): Promise<GraphQLAnswer> => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { ...parts, headers },
      context: async () => {
        const context = await options.context(request, rawBody, scope);
        registerRequestScope(context, scope);
        return context;
      },
    });
    let body: string;
    if (result.body.kind === 'complete') {
      body = result.body.string;
    } else {
      body = '';
      for await (const chunk of result.body.asyncIterator) body += chunk;
    }
    return { status: result.status ?? 200, headers: new Map(result.headers), body: Buffer.from(body) };
  };
  await send(options.aroundGraphQL ? await options.aroundGraphQL(request, parts, execute) : await execute());
}

// A known length lets headers and body leave in one write, without chunked encoding.
function sendAnswer(response: ServerResponse, answer: GraphQLAnswer) {
  const headers: Record<string, string | number> = {};
  for (const [name, value] of answer.headers) headers[name] = value;
  headers['content-length'] = answer.body.length;
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

async function sendReadiness(response: ServerResponse, readiness: () => Promise<Readiness>, stopping: boolean) {
  if (stopping) return sendJson(response, 503, { status: 'stopping', checks: {} });
  const { ready, checks } = await readiness().catch(() => ({ ready: false, checks: {} }));
  sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks });
}

/**
 * A plain node:http front for Apollo Server: GraphQL at /graphql, GET /live, GET /ready (and
 * /health, its older name), GET /metrics when given them, nothing else. No framework sits
 * between the socket and Apollo, which keeps the hot path short.
 */
export function startHttpServer<Context extends BaseContext>(
  options: HttpServerOptions<Context>,
): Promise<RunningHttpServer> {
  let stopping = false;
  const inFlight = new Set<ServerResponse>();
  let whenAllAnswered: (() => void) | null = null;
  const crossOrigin = options.cors ? crossOriginPolicy(options.cors) : null;
  const compress = options.compress ? answerCompression() : null;
  // Below info no line would be written: no request waits to describe itself.
  const accessLog = options.accessLog && options.logger.isLevelEnabled('info');
  const asyncRequestScope = options.asyncRequestScope ?? true;
  const server = createServer((request, response) => {
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (inFlight.size === 0) whenAllAnswered?.();
    });
    // A request that arrives on a kept-alive connection while stopping is answered, and its connection closed after.
    if (stopping) response.setHeader('connection', 'close');
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const pathname = queryStart < 0 ? target : target.slice(0, queryStart);
    const search = queryStart < 0 ? '' : target.slice(queryStart);
    // Probes are not requests served: outside aroundRequest, they count in no usage and no request bounds.
    if (request.method === 'GET' && pathname === '/live') return sendJson(response, 200, { status: 'live' });
    if (request.method === 'GET' && (pathname === '/ready' || pathname === '/health')) {
      return void sendReadiness(response, options.readiness, stopping);
    }
    if (request.method === 'GET' && pathname === '/metrics' && options.metrics) {
      return void options.metrics().then(({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body));
    }
    const scope: RequestScope = { requestId: requestIdFrom(request.headers[REQUEST_ID_HEADER]), access: {} };
    registerRequestScope(request, scope);
    response.setHeader(REQUEST_ID_HEADER, scope.requestId);
    const traced = traceRequest(request, response, { path: pathname, requestId: scope.requestId, continueCaller: options.continueTraces ?? false });
    if (traced.traceId) scope.access.traceId = traced.traceId;
    if (accessLog) logAccessWhenDone(options.logger, request, response, scope, pathname);
    const handle = async (): Promise<void> => {
      if (pathname === '/graphql') {
        if (crossOrigin && !crossOrigin(request, response)) return; // a preflight, answered
        return handleGraphQL(options, request, response, search, compress, scope);
      }
      const route = options.routes?.[pathname];
      if (route && request.method === 'POST') {
        const rawBody = await readBody(request);
        const answer = await route(request, parseBody(request, rawBody), rawBody);
        return sendJson(response, answer.status, answer.body);
      }
      if (pathname === '/' && request.method === 'GET') {
        response.writeHead(302, { location: '/graphql' });
        response.end();
        return;
      }
      return sendJson(response, 404, { error: 'Not found' });
    };
    const serve = () => (options.aroundRequest ? options.aroundRequest(handle) : handle());
    (asyncRequestScope ? inRequestScope(scope, () => traced.run(serve)) : traced.run(serve)).catch((error: unknown) => {
      // Outside the request's scope here: its record is written directly.
      if (error instanceof RequestError) {
        scope.access.errorCodes = [error.code];
        return sendRequestError(response, error);
      }
      scope.access.errorCodes = [ErrorCode.INTERNAL_SERVER_ERROR];
      options.logger.error({ err: error, requestId: scope.requestId }, 'request failed');
      if (!response.headersSent) {
        sendJson(response, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
      } else {
        response.end();
      }
    });
  });
  server.keepAliveTimeout = 65_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      const displayHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
      resolve({
        url: `http://${displayHost}:${port}/graphql`,
        port,
        server,
        stop: async ({ drainMs = 0 } = {}) => {
          stopping = true;
          for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
          // Only stops accepting: http.Server#close would also close idle keep-alive connections
          // at once (Node >= 19), before the grace below.
          const closed = new Promise<void>((done) => NetServer.prototype.close.call(server, () => done()));
          const startedAt = Date.now();
          // A kept-alive connection that looks idle may hold a request the event loop has not
          // read yet (sent just before the signal, on a busy process): closing it at once would
          // drop that request unanswered. Within the grace it is read and answered, with
          // `Connection: close`; only then are the connections still idle closed. The grace ends
          // early once every connection is gone, so a server nobody holds open stops at once.
          const graceMs = Math.min(IDLE_CLOSE_GRACE_MS, drainMs);
          if (graceMs > 0) {
            const graceOver = new AbortController();
            await Promise.race([delay(graceMs, undefined, { signal: graceOver.signal }).catch(() => undefined), closed]);
            graceOver.abort();
          }
          server.closeIdleConnections();
          const leftMs = drainMs - (Date.now() - startedAt);
          if (leftMs > 0 && inFlight.size > 0) {
            let timer: NodeJS.Timeout | undefined;
            await new Promise<void>((done) => {
              whenAllAnswered = done;
              timer = setTimeout(done, leftMs);
            });
            clearTimeout(timer);
          }
          server.closeAllConnections();
          await closed;
          // Releases the timer http.Server#close would have cleared (it checks request
          // timeouts), which net.Server#close leaves holding the server.
          server.close();
        },
      });
    });
  });
}
