import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GATEWAY_TOKEN_HEADER, signGatewayToken } from '@shop/auth';
import type { KeyRing, SubgraphDeadlines, SubgraphFetchConfig, SubgraphName } from '@shop/config';
import { AppError, ErrorCode } from '@shop/errors';
import { REQUEST_ID_HEADER, type Logger } from '@shop/logging';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, type CircuitBreakerPolicy, type RetryPolicy } from 'cockatiel';
import { Pool } from 'undici';
import type { GatewayContext } from './context.js';
import type { FetchOutcome } from './metrics.js';
import { RetryBudget } from './retry-budget.js';

/** What a subgraph answered, before any caller parses it: callers sharing a fetch each parse their own copy. */
export interface SubgraphAnswer {
  status: number;
  body: string;
  cacheControl: string | undefined;
}

/** A GraphQL request to a subgraph, as its body is written. */
interface SubgraphRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

/** Statuses that mean the subgraph is there but cannot serve right now: the client may retry. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);
/** Of those, the ones that say the request was not served at all, so a query may be sent again. */
const RETRYABLE_STATUSES = new Set([502, 503]);
/** Connection failures that leave no answer begun: a query may be sent again. */
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** A retry waits a little, with jitter, so retries from many fetches do not arrive together. */
const RETRY_BACKOFF = { initialDelay: 20, maxDelay: 200 };

type FetchOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
/** A fetch made while executing a client's operation (not a health check or a schema load). */
type OperationFetch = Extract<FetchOptions, { incomingRequestContext: unknown }>;
const isOperationFetch = (options: FetchOptions): options is OperationFetch => 'incomingRequestContext' in options;

export type CircuitStateName = 'closed' | 'open' | 'half-open';

export interface SubgraphClientOptions {
  deadlines: SubgraphDeadlines;
  breaker: SubgraphFetchConfig['breaker'];
  retry: SubgraphFetchConfig['retry'];
  logger: Logger;
  /** Told of each fetch's outcome and duration (retries included). */
  observeFetch?: (subgraph: SubgraphName, outcome: FetchOutcome, seconds: number) => void;
}

/** The subgraph failed to serve a fetch (as opposed to answering it with GraphQL errors): what the breaker counts. */
class SubgraphFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'unavailable',
    /** Nothing was served: a query may be sent again. */
    readonly retryable: boolean,
  ) {
    super(`subgraph ${kind}`);
  }
}

/** The client's error for a fetch that failed: retryable later, never the subgraph's address or the cause. */
function clientErrorOf(error: unknown, deadline: AbortSignal): unknown {
  if (error instanceof SubgraphFailure && error.kind === 'timeout') return subgraphTimeout();
  if (error instanceof SubgraphFailure || error instanceof BrokenCircuitError) return subgraphUnavailable();
  return deadline.aborted ? subgraphTimeout() : error;
}

const subgraphTimeout = () => new AppError(ErrorCode.SUBGRAPH_TIMEOUT, 'A service this operation needs did not answer in time; retry shortly');
const subgraphUnavailable = () => new AppError(ErrorCode.SUBGRAPH_UNAVAILABLE, 'A service this operation needs is unavailable; retry shortly');

function fetchOutcomeOf(clientError: unknown): FetchOutcome {
  if (!(clientError instanceof AppError)) return 'error';
  if (clientError.code === ErrorCode.SUBGRAPH_TIMEOUT) return 'timeout';
  return clientError.code === ErrorCode.SUBGRAPH_UNAVAILABLE ? 'unavailable' : 'error';
}

/** What an undici error while sending or reading says about the subgraph. */
function failureOf(error: unknown, deadline: AbortSignal, answerBegun: boolean): SubgraphFailure {
  const code = (error as { code?: unknown }).code;
  if (deadline.aborted || (typeof code === 'string' && TIMEOUTS.has(code))) {
    return new SubgraphFailure('timeout', !deadline.aborted && !answerBegun && code === 'UND_ERR_CONNECT_TIMEOUT');
  }
  return new SubgraphFailure('unavailable', !answerBegun && typeof code === 'string' && CONNECTION_FAILURES.has(code));
}

const circuitStateNames: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * One subgraph over HTTP, on a keep-alive connection pool.
 *
 * - The subgraph learns who is calling only from the gateway's signed token: the client's
 *   own headers (Authorization, x-api-key, anything forged) are never forwarded. Each fetch
 *   gets a token of its own, for this subgraph and this body only (docs/adr/0011).
 * - Identical fetches of a query that are in flight at the same time, for the same viewer,
 *   share one subgraph request: a burst of shoppers opening the same page costs each
 *   subgraph one fetch. Mutations and anything fetched while executing one are never shared.
 * - Each fetch carries the request's id (x-request-id) for the subgraph's logs; a shared
 *   fetch carries its first caller's.
 * - Subgraphs answer a request they refuse before executing it (a variable of the wrong
 *   shape) with HTTP 400, and one their database cannot serve with 503, both with a GraphQL
 *   body: its errors and their codes reach the client.
 * - The subgraph's Cache-Control restricts the operation's cache policy, and its cache
 *   report (what the answer holds, what it changed) goes to the response cache.
 * - Every fetch has deadlines (connect, headers, in all): past one it is aborted and its
 *   fields are SUBGRAPH_TIMEOUT. After consecutive failures (unreachable, timed out, 502/503/504
 *   without a GraphQL body) the circuit opens: fetches fail at once with SUBGRAPH_UNAVAILABLE
 *   until a probe, after a wait, finds the subgraph serving again. A query fetch that found
 *   no one to serve it is sent again, once or twice, while the retry budget allows
 *   (docs/adr/0014); a mutation's fetches never are.
 */
export class SubgraphClient implements GraphQLDataSource<GatewayContext> {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly inFlight = new Map<string, Promise<SubgraphAnswer>>();
  private readonly deadlines: SubgraphDeadlines;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retries: RetryPolicy;
  private readonly retryBudget: RetryBudget;
  private readonly observeFetch: NonNullable<SubgraphClientOptions['observeFetch']>;

  constructor(
    private readonly name: SubgraphName,
    url: string,
    private readonly gatewayKeys: KeyRing,
    options: SubgraphClientOptions,
  ) {
    const target = new URL(url);
    this.deadlines = options.deadlines;
    this.observeFetch = options.observeFetch ?? (() => undefined);
    this.pool = new Pool(target.origin, {
      keepAliveTimeout: 30_000,
      connect: { timeout: options.deadlines.connectMs },
      headersTimeout: options.deadlines.headersMs,
      bodyTimeout: options.deadlines.totalMs,
    });
    this.path = `${target.pathname}${target.search}`;
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof SubgraphFailure),
      { halfOpenAfter: options.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breaker.consecutiveFailures) },
    );
    this.breaker.onStateChange((state) => {
      const circuit = circuitStateNames[state];
      if (circuit === 'open') options.logger.warn({ subgraph: name, circuit }, 'subgraph failing: circuit open, its fetches fail fast');
      else options.logger.info({ subgraph: name, circuit }, `subgraph circuit ${circuit}`);
    });
    this.retryBudget = new RetryBudget(options.retry.budget);
    this.retries = retry(
      handleWhen((error) => error instanceof SubgraphFailure && error.retryable && this.retryBudget.allowsRetry()),
      { maxAttempts: options.retry.maxAttempts, backoff: new ExponentialBackoff(RETRY_BACKOFF) },
    );
    // Called once a retry is decided (the attempts left, the error retryable, the budget asked).
    this.retries.onRetry(() => this.retryBudget.recordRetry());
  }

  async process(options: FetchOptions): Promise<GatewayGraphQLResponse> {
    if (!isOperationFetch(options)) {
      // The supergraph is composed in the repo: the gateway neither polls nor health-checks subgraphs.
      throw new Error(`subgraph client serves operations only, not ${options.kind}`);
    }
    const { request, context, incomingRequestContext } = options;
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName });
    const ahead = context.fetchedAhead;
    let answer: Promise<SubgraphAnswer>;
    if (ahead?.subgraph === this.name && ahead.body === body) {
      context.fetchedAhead = undefined;
      answer = ahead.answer;
    } else {
      answer = incomingRequestContext.operation?.operation === 'query' ? this.query(body, context) : this.send(body, context, { retry: false });
    }
    const settled = await answer;
    const response = parseGraphQLAnswer(settled);
    context.cache.absorb(response.extensions);
    restrictCachePolicy(incomingRequestContext, settled);
    return response;
  }

  /**
   * Sends a query's root fetch before Apollo's executor runs (the single-fetch passthrough,
   * docs/adr/0048): `sent`, which asks the same fields as `planned`, the fetch Apollo's
   * executor would make (the same keys, perhaps in another order). Should the executor then
   * make `planned` for this request, it is given this answer (or this failure) instead of
   * sending it again: its result shaping reads the answer by key.
   */
  fetchAhead(sent: SubgraphRequest, planned: SubgraphRequest, context: GatewayContext): Promise<SubgraphAnswer> {
    const body = JSON.stringify(sent);
    const answer = this.query(body, context);
    context.fetchedAhead = { subgraph: this.name, body: planned === sent ? body : JSON.stringify(planned), answer };
    return answer;
  }

  /** Whether fetches reach the subgraph (closed), fail fast (open), or one probe is finding out (half-open). */
  circuitState(): CircuitStateName {
    return circuitStateNames[this.breaker.state];
  }

  /**
   * Ends the pool's connections at once, fetches in flight included (the gateway is stopping
   * and has answered or cut its requests): undici's close() would wait for a hung subgraph.
   */
  close(): Promise<void> {
    return this.pool.destroy();
  }

  /** A query's fetch, shared with identical ones in flight for the same viewer, sent again when nothing served it. */
  private query(body: string, context: GatewayContext): Promise<SubgraphAnswer> {
    const key = `${JSON.stringify(context.viewer)}\n${body}`;
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    // send() settles by its deadline at the latest, so the entry never outlives it.
    const answer = this.send(body, context, { retry: true }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, answer);
    return answer;
  }

  /** Shared fetches share this too: one signature and one deadline per fetch; each attempt is one sample for the breaker. */
  private async send(body: string, { viewer, clientIp, requestId }: GatewayContext, { retry: mayRetry }: { retry: boolean }): Promise<SubgraphAnswer> {
    const token = await signGatewayToken(
      this.gatewayKeys,
      { viewer, clientIp },
      { audience: this.name, request: { method: 'POST', path: this.path, body } },
    );
    // Not AbortSignal.timeout: its timer outlives the fetch, and at the deadline, long after the
    // answer, builds a TimeoutError with its stack for every fetch made then. This one ends with the fetch.
    const deadlineReached = new AbortController();
    const deadline = deadlineReached.signal;
    const timeout = setTimeout(() => deadlineReached.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), this.deadlines.totalMs);
    this.retryBudget.recordRequest();
    const attempt = () => this.breaker.execute(() => this.attempt(body, token, requestId, deadline));
    const started = performance.now();
    try {
      const answer = await (mayRetry ? this.retries.execute(attempt, deadline) : attempt());
      this.observeFetch(this.name, 'ok', (performance.now() - started) / 1000);
      return answer;
    } catch (error) {
      const clientError = clientErrorOf(error, deadline);
      this.observeFetch(this.name, fetchOutcomeOf(clientError), (performance.now() - started) / 1000);
      throw clientError;
    } finally {
      // The answer is read whole within the attempt: nothing waits on the deadline any more.
      clearTimeout(timeout);
    }
  }

  private async attempt(body: string, token: string, requestId: string, deadline: AbortSignal): Promise<SubgraphAnswer> {
    // Spent waiting for a half-open circuit's probe: not the subgraph's failure, so not the breaker's.
    if (deadline.aborted) throw subgraphTimeout();
    let answerBegun = false;
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        // No Accept: the subgraph's Apollo Server then answers application/json without
        // negotiating the answer's type, 1-3 % of its profile samples (docs/adr/0053).
        headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token, [REQUEST_ID_HEADER]: requestId },
        body,
        signal: deadline,
      });
      answerBegun = true;
      const text = await response.body.text();
      if (UNAVAILABLE_STATUSES.has(response.statusCode) && !graphQLBodyOf(text)) {
        throw new SubgraphFailure('unavailable', RETRYABLE_STATUSES.has(response.statusCode));
      }
      const cacheControl = response.headers['cache-control'];
      return { status: response.statusCode, body: text, cacheControl: Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl };
    } catch (error) {
      throw error instanceof SubgraphFailure ? error : failureOf(error, deadline, answerBegun);
    }
  }
}

/** The answer's body when it is a GraphQL response, null otherwise. */
function graphQLBodyOf(body: string): GatewayGraphQLResponse | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const isGraphQL = typeof parsed === 'object' && parsed !== null && ('data' in parsed || Array.isArray((parsed as { errors?: unknown }).errors));
  return isGraphQL ? (parsed as GatewayGraphQLResponse) : null;
}

function parseGraphQLAnswer({ status, body }: SubgraphAnswer): GatewayGraphQLResponse {
  const parsed = graphQLBodyOf(body);
  // 502/503/504 without a GraphQL body never get here: the fetch failed.
  if (parsed && (status === 200 || status === 400 || UNAVAILABLE_STATUSES.has(status))) return parsed;
  // Anything else is a fault: logged and masked by the gateway's error formatting.
  throw new Error(`subgraph answered HTTP ${status} without a GraphQL body`);
}

/** The subgraph's Cache-Control restricts the operation's cache policy. */
export function restrictCachePolicy({ overallCachePolicy: policy }: { overallCachePolicy: unknown }, answer: SubgraphAnswer): void {
  if (typeof policy === 'object' && policy !== null && 'restrict' in policy) (policy as { restrict(hint: object): void }).restrict(cacheHintOf(answer.cacheControl));
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
