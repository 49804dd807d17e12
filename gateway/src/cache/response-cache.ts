import type { IncomingMessage } from 'node:http';
import type { Viewer } from '@shop/auth';
import type { GraphQLAnswer, GraphQLRequestParts } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import { LRUCache } from 'lru-cache';
import { inSpan, trace } from '@shop/tracing';
import { upTo } from '../bounded-lru.js';
import { COST_REPORT_HEADER } from '../demand-control/plugin.js';
import { tagsInvalidatedByAll } from './invalidation.js';
import { createOperationKinds } from './operation-kinds.js';
import { CacheRecorder } from './recorder.js';
import { cacheableRequest, cacheKeys, type CacheableRequest } from './request-key.js';
import type { CachedResponse, ResponseStore } from './store.js';

/** Documents remembered as answered privately: a caller can send any number of distinct ones. */
const REMEMBERED_PRIVATE_DOCUMENTS = 10_000;
/** How long another gateway instance may hold the computation of one answer. */
const CLAIM_MS = 5_000;
const CLAIM_POLL_MS = 20;
const tracer = trace.getTracer('@shop/gateway');

export interface ResponseCacheOptions {
  store: ResponseStore;
  viewerOf(request: IncomingMessage): Promise<Viewer>;
  /** Trusted documents by id: partners run these by id only; anything else is for Apollo to refuse. */
  trustedDocuments: ReadonlyMap<string, string>;
  /** The operation limits' token bound: the cache reads a document's kind before Apollo parses it. */
  maxTokens: number;
  logger: Logger;
  /**
   * False while the gateway is not up to date with the subgraphs' events (NATS away, or catching
   * up): an answer stored more than `maxAgeWithoutEventsMs` ago may hold what a purge it missed
   * would have removed, and is computed again rather than served (docs/adr/0034). Absent:
   * events count as current (the HTTP feeds).
   */
  eventsCurrent?: () => boolean;
  maxAgeWithoutEventsMs?: number;
}

export interface ResponseCache {
  /** Wraps the execution of one GraphQL request (answers from the cache, or executes and stores). */
  around(request: IncomingMessage, parts: GraphQLRequestParts, execute: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer>;
  /** The recorder of the request being executed, for its context. */
  recorderOf(request: IncomingMessage): CacheRecorder;
}

interface Flight {
  answer: GraphQLAnswer;
  /**
   * The key the answer belongs under, when it is cacheable. Callers waiting on the flight
   * under that key share it, even when storing lost a race with a purge: it is as fresh as
   * their own would have been.
   */
  key: string | null;
  response: CachedResponse | null;
}

function hitAnswer(response: CachedResponse, key: string): GraphQLAnswer {
  const age = Math.max(0, Math.floor((Date.now() - response.storedAt) / 1000));
  return {
    status: 200,
    headers: new Map([
      ['content-type', 'application/json; charset=utf-8'],
      ['cache-control', `max-age=${Math.max(0, response.maxAge - age)}, ${response.scope.toLowerCase()}`],
      ['age', String(age)],
      ['x-cache', 'HIT'],
    ]),
    body: response.body,
    // One stored entry, one body: its compressed forms can be kept.
    reuseKey: `${key} ${response.storedAt}`,
  };
}

const withCacheHeader = (answer: GraphQLAnswer, value: 'MISS' | 'BYPASS') => {
  answer.headers.set('x-cache', value);
  return answer;
};

const DATA_START = Buffer.from('{"data":');

/** A body with data and no errors: `"errors":` can only occur unescaped as a key. */
const isCleanResult = (body: Buffer) => body.subarray(0, DATA_START.length).equals(DATA_START) && !body.includes('"errors":');

/**
 * The gateway's response cache (docs/adr/0007). It sits in front of Apollo Server, so a hit
 * costs a key lookup and a write, not a GraphQL pipeline. What may be stored, for whom and
 * for how long follows the subgraphs' @cacheControl hints; what each answer holds follows
 * their cache reports, by which mutations and events purge it.
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { store, logger } = options;
  const recorders = new WeakMap<IncomingMessage, CacheRecorder>();
  const flights = new Map<string, Promise<Flight>>();
  /** Documents whose answers turned out private: their misses do not wait on other callers. */
  const privateDocuments = new LRUCache<string, true>(upTo(REMEMBERED_PRIVATE_DOCUMENTS));
  const operationKinds = createOperationKinds(options.trustedDocuments, options.maxTokens);
  /** A miss during which the store went away was neither looked up nor stored for sure. */
  const missOrBypass = () => (store.reachable() ? 'MISS' : 'BYPASS');

  async function safely<T>(what: string, run: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await run();
    } catch (error) {
      // The cache is an optimisation: without it, requests are slower, not refused.
      logger.warn({ err: error }, `response cache: ${what} failed`);
      return fallback;
    }
  }

  async function purgeChangesOf(recorder: CacheRecorder) {
    if (recorder.changes.length === 0) return;
    await safely('purge', () => store.purge(tagsInvalidatedByAll(recorder.changes, logger)), undefined);
  }

  async function executeAndStore(
    request: CacheableRequest,
    viewer: Viewer,
    keys: ReturnType<typeof cacheKeys>,
    recorder: CacheRecorder,
    execute: () => Promise<GraphQLAnswer>,
  ): Promise<Flight> {
    const clock = await safely('clock', () => store.clock(), Number.NaN);
    const answer = await execute();
    await purgeChangesOf(recorder);
    if (recorder.operation) operationKinds.learn(request.documentId, request.operationName, recorder.operation);
    const { policy } = recorder;
    if (recorder.operation !== 'query' || !policy || policy.maxAge <= 0 || answer.status !== 200 || !isCleanResult(answer.body)) {
      return { answer, key: null, response: null };
    }
    const isAdmin = viewer.kind === 'user' && viewer.role === 'ADMIN';
    const scope = recorder.callerSpecific || isAdmin ? 'PRIVATE' : policy.scope;
    // Administrators' answers are private anyway; only others' say the document is.
    if (scope === 'PRIVATE' && !isAdmin) privateDocuments.set(request.documentId, true);
    const key = scope === 'PUBLIC' ? keys.shared : keys.caller;
    if (!key) return { answer, key: null, response: null };
    const response: CachedResponse = { body: answer.body, scope, maxAge: policy.maxAge, storedAt: Date.now() };
    if (!Number.isNaN(clock)) await safely('store', () => store.put(key, response, [...recorder.tags], clock), false);
    return { answer, key, response };
  }

  /** Whether an answer stored then can be served now: any within its max-age while events are current. */
  const servable = (response: CachedResponse | null): CachedResponse | null => {
    if (!response || (options.eventsCurrent?.() ?? true)) return response;
    return Date.now() - response.storedAt <= (options.maxAgeWithoutEventsMs ?? 0) ? response : null;
  };

  /** The stored answer for the first of the keys that has one, as a flight that found it. */
  async function storedFlight(lookup: string[]): Promise<Flight | null> {
    const responses = (await safely('get', () => store.get(lookup), [])).map(servable);
    const index = responses.findIndex(Boolean);
    if (index < 0) return null;
    const response = responses[index]!;
    const key = lookup[index]!;
    return { answer: hitAnswer(response, key), key, response };
  }

  /** Waits while another gateway instance computes the answer; null if it does not come in time. */
  async function awaitOtherInstance(lookup: string[]): Promise<Flight | null> {
    const deadline = Date.now() + CLAIM_MS;
    while (Date.now() < deadline && store.reachable()) {
      await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
      const found = await storedFlight(lookup);
      if (found) return found;
    }
    return null;
  }

  const cache: ResponseCache = {
    recorderOf(request) {
      let recorder = recorders.get(request);
      if (!recorder) recorders.set(request, (recorder = new CacheRecorder()));
      return recorder;
    },

    async around(httpRequest, parts, execute) {
      // Only what executes records anything: a hit makes no recorder.
      const recorderOf = () => cache.recorderOf(httpRequest);
      const bypass = async () => {
        const answer = await execute();
        await purgeChangesOf(recorderOf());
        return withCacheHeader(answer, 'BYPASS');
      };
      const request = cacheableRequest(parts.method, parts.search, parts.body);
      // A cost report describes this very execution, so it is never answered from, or stored in, the cache.
      if (!request || httpRequest.headers[COST_REPORT_HEADER] !== undefined) return bypass();
      // Without Redis the cache is skipped, not waited for (docs/adr/0015).
      if (!store.reachable()) return bypass();
      const kind = operationKinds.of(request.documentId, request.operationName, request.text);
      if (kind === 'mutation' || kind === 'subscription') return bypass();
      let viewer: Viewer;
      try {
        viewer = await options.viewerOf(httpRequest);
      } catch {
        return bypass(); // Apollo answers bad credentials with their error.
      }
      if (viewer.kind === 'partner' && !(request.byIdOnly && options.trustedDocuments.has(request.documentId))) return bypass();

      const keys = cacheKeys(request, viewer);
      const lookup = [keys.shared, keys.caller].filter((key): key is string => key !== null);
      const stored = await storedFlight(lookup);
      if (stored) return stored.answer;

      // One miss computes; concurrent identical misses wait for it and share its answer
      // when it is theirs to read (shared, or stored under their own key).
      const flightKey = keys.shared && !privateDocuments.has(request.documentId) ? keys.shared : keys.caller;
      const running = flightKey ? flights.get(flightKey) : undefined;
      if (running) {
        const flight = await running;
        if (flight.response && flight.key && lookup.includes(flight.key)) {
          // Shared with the request that computed it; while the store is away that was no cache at work.
          const answer = hitAnswer(flight.response, flight.key);
          return store.reachable() ? answer : withCacheHeader(answer, 'BYPASS');
        }
      }
      if (!flightKey) return withCacheHeader((await executeAndStore(request, viewer, keys, recorderOf(), execute)).answer, missOrBypass());

      const flight = (async (): Promise<Flight> => {
        // A flight that ended while this request's lookup was on its way has stored the answer.
        const storedMeanwhile = await storedFlight(lookup);
        if (storedMeanwhile) return storedMeanwhile;
        const claimed = store.kind === 'memory' || (await safely('claim', () => store.claim(flightKey, CLAIM_MS), true));
        if (!claimed) {
          const computedElsewhere = await awaitOtherInstance(lookup);
          if (computedElsewhere) return computedElsewhere;
        }
        try {
          return await executeAndStore(request, viewer, keys, recorderOf(), execute);
        } finally {
          if (claimed && store.kind !== 'memory') await safely('release', () => store.release(flightKey), undefined);
        }
      })();
      if (!running) flights.set(flightKey, flight);
      try {
        const { answer } = await flight;
        return answer.headers.has('x-cache') ? answer : withCacheHeader(answer, missOrBypass());
      } finally {
        if (flights.get(flightKey) === flight) flights.delete(flightKey);
      }
    },
  };
  return {
    ...cache,
    // On a miss the execution is the span's child: the cache is what ran it.
    around: (request, parts, execute) =>
      inSpan(tracer, 'gateway.response_cache', () => cache.around(request, parts, execute), (answer, span) =>
        span.setAttribute('cache.result', String(answer.headers.get('x-cache')).toLowerCase()),
      ),
  };
}
