import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GATEWAY_TOKEN_HEADER, signGatewayToken } from '@shop/auth';
import type { KeyRing, SubgraphName } from '@shop/config';
import { AppError, ErrorCode } from '@shop/errors';
import { Pool } from 'undici';
import type { GatewayContext } from './context.js';

/** What a subgraph answered, before any caller parses it: callers sharing a fetch each parse their own copy. */
interface SubgraphAnswer {
  status: number;
  body: string;
  cacheControl: string | undefined;
}

/** Statuses that mean the subgraph is there but cannot serve right now: the client may retry. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

type FetchOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
/** A fetch made while executing a client's operation (not a health check or a schema load). */
type OperationFetch = Extract<FetchOptions, { incomingRequestContext: unknown }>;
const isOperationFetch = (options: FetchOptions): options is OperationFetch => 'incomingRequestContext' in options;

const unavailable = () => new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'A service this operation needs is unavailable; retry shortly');

/**
 * One subgraph over HTTP, on a keep-alive connection pool.
 *
 * - The subgraph learns who is calling only from the gateway's signed token: the client's
 *   own headers (Authorization, x-api-key, anything forged) are never forwarded. Each fetch
 *   gets a token of its own, for this subgraph and this body only (docs/adr/0011).
 * - Identical fetches of a query that are in flight at the same time, for the same viewer,
 *   share one subgraph request: a burst of shoppers opening the same page costs each
 *   subgraph one fetch. Mutations and anything fetched while executing one are never shared.
 * - Subgraphs answer a request they refuse before executing it (a variable of the wrong
 *   shape) with HTTP 400 and a GraphQL body: its errors and their codes reach the client.
 * - The subgraph's Cache-Control restricts the operation's cache policy, and its cache
 *   report (what the answer holds, what it changed) goes to the response cache.
 */
export class SubgraphClient implements GraphQLDataSource<GatewayContext> {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly inFlight = new Map<string, Promise<SubgraphAnswer>>();

  constructor(
    private readonly name: SubgraphName,
    url: string,
    private readonly gatewayKeys: KeyRing,
  ) {
    const target = new URL(url);
    this.pool = new Pool(target.origin, { keepAliveTimeout: 30_000 });
    this.path = `${target.pathname}${target.search}`;
  }

  async process(options: FetchOptions): Promise<GatewayGraphQLResponse> {
    if (!isOperationFetch(options)) {
      // The supergraph is composed in the repo: the gateway neither polls nor health-checks subgraphs.
      throw new Error(`subgraph client serves operations only, not ${options.kind}`);
    }
    const { request, context, incomingRequestContext } = options;
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName });
    const answer = await (incomingRequestContext.operation?.operation === 'query'
      ? this.shared(`${JSON.stringify(context.viewer)}\n${body}`, () => this.send(body, context))
      : this.send(body, context));
    const response = parseGraphQLAnswer(answer);
    context.cache.absorb(response.extensions);
    const policy = incomingRequestContext.overallCachePolicy;
    if ('restrict' in policy) policy.restrict(cacheHintOf(answer.cacheControl));
    return response;
  }

  /**
   * Ends the pool's connections at once, fetches in flight included (the gateway is stopping
   * and has answered or cut its requests): undici's close() would wait for a hung subgraph.
   */
  close(): Promise<void> {
    return this.pool.destroy();
  }

  private shared(key: string, send: () => Promise<SubgraphAnswer>): Promise<SubgraphAnswer> {
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const answer = send().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, answer);
    return answer;
  }

  /** Shared fetches share this too: one signature per subgraph request. */
  private async send(body: string, { viewer, clientIp }: GatewayContext): Promise<SubgraphAnswer> {
    const token = await signGatewayToken(
      this.gatewayKeys,
      { viewer, clientIp },
      { audience: this.name, request: { method: 'POST', path: this.path, body } },
    );
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', [GATEWAY_TOKEN_HEADER]: token },
        body,
      });
      const cacheControl = response.headers['cache-control'];
      return { status: response.statusCode, body: await response.body.text(), cacheControl: Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl };
    } catch {
      // A subgraph down or restarting is an expected condition: say so, retryable, without its address.
      throw unavailable();
    }
  }
}

function parseGraphQLAnswer({ status, body }: SubgraphAnswer): GatewayGraphQLResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = null;
  }
  const isGraphQL = typeof parsed === 'object' && parsed !== null && ('data' in parsed || Array.isArray((parsed as { errors?: unknown }).errors));
  if (isGraphQL && (status === 200 || status === 400)) return parsed as GatewayGraphQLResponse;
  if (UNAVAILABLE_STATUSES.has(status)) throw unavailable();
  // Anything else is a fault: logged and masked by the gateway's error formatting.
  throw new Error(`subgraph answered HTTP ${status} without a GraphQL body`);
}

/** The hint a subgraph's Cache-Control header gives (Apollo Server sets it from the SDL's @cacheControl). */
function cacheHintOf(header: string | undefined): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const directives = (header ?? '').toLowerCase().split(',').map((part) => part.trim());
  const maxAge = directives.find((part) => part.startsWith('max-age='))?.slice('max-age='.length);
  return {
    maxAge: maxAge && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
    ...(directives.includes('private') ? { scope: 'PRIVATE' as const } : directives.includes('public') ? { scope: 'PUBLIC' as const } : {}),
  };
}
