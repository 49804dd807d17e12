import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { isAdmin, type Viewer } from '@shop/auth';
import { apolloRequestErrorCodes, errorRegistry } from '@shop/errors';
import type { Logger, RequestScope, ViewerKind } from '@shop/logging';
import { pluginOf, type RequestHooks } from './request-hooks.js';

/** An id a caller (a load balancer, a client) may choose: bounded, and nothing a log reader could trip on. */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;
const LEADING_OPERATION = /^\s*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,127})(?![_0-9A-Za-z])/;
/** Apollo clients send their name and version; anything longer is cut here. */
const MAX_CLIENT_FIELD_LENGTH = 64;

/** The incoming id when it is well-formed, a new UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const incoming = Array.isArray(header) ? header[0] : header;
  return incoming !== undefined && WELL_FORMED_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export const viewerKindOf = (viewer: Viewer): ViewerKind =>
  viewer.kind === 'partner' ? 'api-key' : viewer.kind === 'anonymous' ? 'anonymous' : isAdmin(viewer) ? 'admin' : 'user';

/**
 * Each request's scope, found on its IncomingMessage or on the GraphQL context built for it
 * (the HTTP front puts it on both): what the code serving a request notes on its access line,
 * without AsyncLocalStorage (docs/adr/0047). A property rather than a WeakMap entry: Apollo
 * hands each operation a shallow copy of the context, which keeps its own properties.
 */
const SCOPE = Symbol('request scope');

type Scoped = { [SCOPE]?: RequestScope };

/** Puts `scope` on the request, or the context, `holder`. */
export function registerRequestScope(holder: object, scope: RequestScope): void {
  (holder as Scoped)[SCOPE] = scope;
}

/** The scope of a request (its IncomingMessage, or the GraphQL context built for it); undefined for anything else. */
export const requestScopeOf = (holder: object): RequestScope | undefined => (holder as Scoped)[SCOPE];

/** Notes who the request's caller is, for its access line; returns the viewer, to sit where it is established. */
export function noteViewer(scope: RequestScope | undefined, viewer: Viewer): Viewer {
  if (scope) scope.access.viewer = viewerKindOf(viewer);
  return viewer;
}

/** Notes the cost demand control estimated for the request. */
export function noteEstimatedCost(scope: RequestScope | undefined, estimated: number): void {
  if (scope) scope.access.cost = estimated;
}

/**
 * The operation a request names before anything parses it, for the line of an answer that
 * never reaches Apollo (a cache hit): its `operationName`, or else the document's leading
 * operation when that has a name. Apollo's resolved operation replaces it when it runs.
 */
export function noteRequestedOperation(scope: RequestScope, operationName: unknown, query: unknown): void {
  if (typeof operationName === 'string' && GRAPHQL_NAME.test(operationName)) {
    scope.access.operationName = operationName;
    return;
  }
  const leading = typeof query === 'string' ? LEADING_OPERATION.exec(query) : null;
  if (leading) [, scope.access.operationType, scope.access.operationName] = leading;
}

const isRegisteredCode = (code: unknown): code is string =>
  typeof code === 'string' && (Object.hasOwn(errorRegistry, code) || apolloRequestErrorCodes.has(code));

/** Notes the codes of an answer's errors that the registry knows (never a message: it may quote the request). */
function noteErrorCodes(scope: RequestScope | undefined, codes: readonly unknown[]): void {
  const registered = codes.filter(isRegisteredCode);
  if (scope && registered.length > 0) scope.access.errorCodes = [...new Set(registered)];
}

/** Fills the request's access record with what Apollo learns: the operation and the answer's error codes. */
export function accessRecord<Context extends BaseContext>(): RequestHooks<Context> {
  return {
    didResolveOperation({ operation, operationName, contextValue }) {
      const scope = requestScopeOf(contextValue);
      if (!scope || !operation) return;
      scope.access.operationType = operation.operation;
      if (operationName) scope.access.operationName = operationName;
    },
    willSendResponse({ response, contextValue }) {
      if (response.body.kind === 'single') noteErrorCodes(requestScopeOf(contextValue), (response.body.singleResult.errors ?? []).map((error) => error.extensions?.code));
    },
  };
}

/** accessRecord as a plugin of its own. */
export const accessRecordPlugin = <Context extends BaseContext>(): ApolloServerPlugin<Context> => pluginOf([accessRecord<Context>()]);

function boundedHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? undefined : text.slice(0, MAX_CLIENT_FIELD_LENGTH);
}

/**
 * Writes one line at info when the response is done (sent, or cut): what was asked, by which
 * client and kind of caller, how it ended and how long it took. Never a body, a variable, a
 * header's credential or an error message.
 */
export function logAccessWhenDone(logger: Logger, request: IncomingMessage, response: ServerResponse, scope: RequestScope, path: string): void {
  const startedAt = performance.now();
  response.once('close', () => {
    const { access } = scope;
    const cache = response.getHeader('x-cache');
    const length = response.getHeader('content-length');
    logger.info(
      {
        requestId: scope.requestId,
        method: request.method,
        path,
        status: response.statusCode,
        durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
        bytes: length === undefined ? undefined : Number(length),
        ...(response.writableFinished ? {} : { aborted: true }),
        operationName: access.operationName,
        operationType: access.operationType,
        clientName: boundedHeader(request.headers, 'apollographql-client-name'),
        clientVersion: boundedHeader(request.headers, 'apollographql-client-version'),
        viewer: access.viewer,
        cache: typeof cache === 'string' ? cache : undefined,
        cost: access.cost,
        errorCodes: access.errorCodes,
        traceId: access.traceId,
      },
      'request',
    );
  });
}
