import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { CorsConfig } from '@shop/config';
import { REQUEST_ID_HEADER } from '@shop/logging';
import { TRACE_ID_HEADER } from '@shop/tracing';

/**
 * What a page's script may send: credentials as a bearer token (never cookies: no
 * Access-Control-Allow-Credentials), Apollo's client and CSRF headers, a request id and a
 * trace context. Not x-api-key: a partner's key belongs on a server, not in a page.
 */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollographql-client-name',
  'apollographql-client-version',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  REQUEST_ID_HEADER,
  'traceparent',
  'tracestate',
];

/** Response headers a page's script may read, beyond the CORS-safelisted ones. */
const EXPOSED_HEADERS = [REQUEST_ID_HEADER, TRACE_ID_HEADER, 'retry-after', 'x-cache'];

/** http://localhost, 127.0.0.1 or [::1], any port: a storefront's development server. */
const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the GraphQL endpoint (docs/adr/0024), by the `cors` middleware: an allowed origin is
 * echoed in Access-Control-Allow-Origin, any other gets none, and every answer varies by
 * Origin. Returns false when it answered the request itself: a preflight, which never runs an
 * operation and so never meets CSRF prevention.
 */
export function crossOriginPolicy(config: CorsConfig): (request: IncomingMessage, response: ServerResponse) => boolean {
  const middleware = cors({
    origin: [...config.origins, ...(config.loopback ? [LOOPBACK_ORIGIN] : [])],
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    optionsSuccessStatus: 204,
  });
  return (request, response) => {
    // Without an Origin no browser reads the answer across origins: what is left for the
    // middleware is to say the answer varies by Origin, which costs nothing said directly.
    if (request.headers.origin === undefined && request.method !== 'OPTIONS') {
      response.setHeader('vary', 'Origin');
      return true;
    }
    let goOn = false;
    // With fixed options the middleware decides at once: by now it has either called on or answered.
    middleware(request, response, () => (goOn = true));
    return goOn;
  };
}
