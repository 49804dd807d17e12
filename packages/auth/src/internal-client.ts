import { request as httpRequest } from 'undici';
import type { KeyRing, SubgraphName } from '@shop/config';
import { checked, type AnswerOf, type InternalEndpoint, type RequestOf } from '@shop/contracts';
import { REQUEST_ID_HEADER, requestIdHeader } from '@shop/logging';
import { GATEWAY_TOKEN_HEADER, postRequest, signGatewayToken } from './gateway-token.js';
import { anonymousViewer } from './viewer.js';

/**
 * Why a service call gave no usable answer: `unreachable` (refused or reset), `timeout` (no
 * whole answer within the client's deadline), `stopped` (the caller's signal aborted it),
 * `status` (an answer other than 200: `status` says which), `malformed` (not JSON, or an answer
 * the endpoint's contract refuses). The call did not complete here; it may be retried.
 */
export class InternalCallFailed extends Error {
  constructor(
    readonly path: string,
    readonly reason: 'unreachable' | 'timeout' | 'stopped' | 'status' | 'malformed',
    detail: string,
    readonly status: number | null = null,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'InternalCallFailed';
  }
}

export interface InternalClientOptions {
  /** The serving subgraph's GraphQL URL: endpoints are served beside it. */
  baseUrl: string | URL;
  /** The subgraph the calls are for: each token names it and is refused by any other. */
  audience: SubgraphName;
  keys: KeyRing;
  /** The longest one call may take, answer included. */
  timeoutMs: number;
}

export type InternalClient = <Endpoint extends InternalEndpoint>(
  endpoint: Endpoint,
  request: RequestOf<Endpoint>,
  options?: InternalCallOptions,
) => Promise<AnswerOf<Endpoint>>;

export interface InternalCallOptions {
  signal?: AbortSignal;
  /** The id of the request this call serves, for the callee's logs; the async context's when absent (requestIdHeader). */
  requestId?: string;
}

/**
 * Calls a subgraph's internal endpoints as the gateway does: each POST carries a gateway token
 * for its audience and exact body (docs/adr/0011), ends within the deadline, and answers what
 * the endpoint's contract says, or fails with InternalCallFailed.
 */
export function internalClient({ baseUrl, audience, keys, timeoutMs }: InternalClientOptions): InternalClient {
  return async <Endpoint extends InternalEndpoint>(endpoint: Endpoint, request: RequestOf<Endpoint>, { signal, requestId }: InternalCallOptions = {}) => {
    const url = new URL(endpoint.path, baseUrl);
    const body = JSON.stringify(request);
    const token = signGatewayToken(keys, { viewer: anonymousViewer, clientIp: null }, { audience, request: postRequest(url, body) });
    // One controller per call, aborted by the deadline or the caller (AbortSignal.any leaks listeners on Node 20).
    const call = new AbortController();
    const timer = setTimeout(() => call.abort(), timeoutMs);
    const stop = () => call.abort();
    signal?.addEventListener('abort', stop, { once: true });
    let answer: unknown;
    try {
      // undici's request rather than fetch: no WHATWG Request, Response and streams to build
      // around a small JSON answer (docs/adr/0037).
      const response = await httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token, ...(requestId === undefined ? requestIdHeader() : { [REQUEST_ID_HEADER]: requestId }) },
        body,
        signal: call.signal,
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new InternalCallFailed(endpoint.path, 'status', `answered ${response.statusCode}`, response.statusCode);
      }
      answer = await response.body.json();
    } catch (error) {
      if (error instanceof InternalCallFailed) throw error;
      const reason = signal?.aborted ? 'stopped' : call.signal.aborted ? 'timeout' : error instanceof SyntaxError ? 'malformed' : 'unreachable';
      throw new InternalCallFailed(endpoint.path, reason, (error as Error).message);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
    const parsed = checked<Endpoint['answer']>(endpoint.answer, answer);
    if (!parsed.ok) throw new InternalCallFailed(endpoint.path, 'malformed', `answer refused by its contract: ${parsed.message}`);
    return parsed.value;
  };
}
