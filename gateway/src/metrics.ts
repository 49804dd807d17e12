import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { GatewayMetricsConfig, SubgraphName } from '@shop/config';
import { apolloErrorRegistry, ApolloErrorCode, errorRegistry, ErrorCode } from '@shop/errors';
import { requestScopeOf, type GraphQLAnswer, type GraphQLRequestParts } from '@shop/graphql-kit';
import { consumerMetrics, type ConsumerObserver } from '@shop/events';
import { BoundedLabel, Counter, createMetricsRegistry, Gauge, Histogram, OTHER, type Registry } from '@shop/metrics';
import { Kind, parse } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { ResponseStore } from './cache/store.js';
import type { PassthroughResult } from './passthrough/index.js';
import type { CircuitStateName } from './subgraph-client.js';

/** The contract's operations (contract/*.graphql): their names are label values. */
const contractDirectory = new URL('../../contract/', import.meta.url);

/** What a subgraph fetch came to: answered (with or without GraphQL errors), or why not. */
export type FetchOutcome = 'ok' | 'timeout' | 'unavailable' | 'error';

/** Codes of operations refused before they run, by a limit, by cost or by budget. */
const refusalCodes = new Set<string>([
  ApolloErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.MAX_DEPTH_LIMIT,
  ErrorCode.MAX_ALIASES_LIMIT,
  ErrorCode.MAX_ROOT_FIELDS_LIMIT,
  ErrorCode.MAX_DIRECTIVES_LIMIT,
  ErrorCode.MAX_TOKENS_LIMIT,
  ErrorCode.VARIABLES_TOO_LARGE,
  ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE,
  ErrorCode.RATE_LIMITED,
]);

const registeredCodes = new BoundedLabel([...Object.keys(errorRegistry), ...Object.keys(apolloErrorRegistry)]);

/** Document text remembered with its operation's label, for the cache's hits, which Apollo never sees. */
const REMEMBERED_DOCUMENT_CHARACTERS = 4 * 1024 * 1024;

const circuitGaugeValues: Record<CircuitStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Few buckets: each is a series per label combination, and the cache-hit path observes one. */
const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10];
const COST_BUCKETS = [10, 100, 500, 1000, 2500, 5000, 10000];

/** The names of the operations in these documents (unparsable ones hold none). */
export function operationNamesIn(documents: Iterable<string>): string[] {
  const names: string[] = [];
  for (const document of documents) {
    try {
      for (const definition of parse(document).definitions) {
        if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.push(definition.name.value);
      }
    } catch {
      continue;
    }
  }
  return names;
}

const contractDocuments = () =>
  readdirSync(contractDirectory)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => readFileSync(new URL(file, contractDirectory), 'utf8'));

/** The outcome of an answer: `ok`, or its first error's code when the registry knows it. */
function outcomeOf(answer: GraphQLAnswer, cache: string | undefined): string {
  // Only clean answers are stored: a hit's body need not be searched.
  if (cache === 'HIT' || (answer.status === 200 && !answer.body.includes('"errors":'))) return 'ok';
  try {
    const { errors } = JSON.parse(answer.body.toString('utf8')) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    const code = errors?.[0]?.extensions?.code;
    return registeredCodes.valueOf(typeof code === 'string' ? code : null, OTHER);
  } catch {
    return OTHER;
  }
}

interface RequestFields {
  query?: unknown;
  operationName?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } };
}

/** What identifies a request's operation: its persisted query hash or its text, and the operation it names. */
function operationKeyOf({ query, operationName, extensions }: RequestFields): string {
  const document = extensions?.persistedQuery?.sha256Hash ?? query;
  return `${typeof document === 'string' ? document : ''}\n${typeof operationName === 'string' ? operationName : ''}`;
}

function requestFieldsOf(parts: GraphQLRequestParts): RequestFields {
  if (parts.method !== 'GET') return typeof parts.body === 'object' && parts.body !== null ? (parts.body as RequestFields) : {};
  const params = new URLSearchParams(parts.search);
  let extensions: RequestFields['extensions'];
  try {
    extensions = JSON.parse(params.get('extensions') ?? 'null') ?? undefined;
  } catch {
    extensions = undefined;
  }
  return { query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined, extensions };
}

const headerOf = (request: IncomingMessage, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export interface GatewayMetricsOptions {
  config: GatewayMetricsConfig;
  /** The trusted documents' texts: their operations are named in the labels, as the contract's are. */
  trustedDocuments: Iterable<string>;
  /** Whether a response cache answers requests (unless false): only then is each document's operation remembered, for its hits. */
  cacheHits?: boolean;
}

/**
 * The gateway's Prometheus metrics (docs/adr/0021). Every label value is bounded: operation
 * names of the contract and the trusted documents, client names listed or first seen up to a
 * maximum, error codes of the registry; anything else is `other`.
 */
export class GatewayMetrics {
  readonly registry: Registry = createMetricsRegistry();
  private readonly operations: BoundedLabel;
  private readonly clients: BoundedLabel;
  private readonly clientVersions: BoundedLabel;
  /** The operation of documents that ran, for the cache's hits of them that name none. */
  private readonly resolvedOperations = new LRUCache<string, string>({ maxSize: REMEMBERED_DOCUMENT_CHARACTERS, sizeCalculation: (_, key) => key.length });
  private readonly cacheHits: boolean;
  private circuits: ReadonlyMap<SubgraphName, { circuitState(): CircuitStateName }> = new Map();
  /** Each label combination's series, looked up once: the cache-hit path observes one per request. */
  private readonly requestSeries = new Map<string, { count: Counter.Internal; duration: Histogram.Internal<'operation' | 'client' | 'outcome'> }>();
  private readonly cacheLookupSeries = new Map<string, Counter.Internal>();

  private readonly requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests answered, by operation, client and outcome (ok or the first error code)',
    labelNames: ['operation', 'client', 'client_version', 'outcome'],
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL request, from its body read to its answer',
    labelNames: ['operation', 'client', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'graphql_refusals_total',
    help: 'Operations refused before they ran (limits, cost, budget), by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly cost = new Histogram({
    name: 'graphql_estimated_cost',
    help: 'Estimated cost of the operations admission control evaluated',
    buckets: COST_BUCKETS,
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'gateway_response_cache_requests_total',
    help: 'Requests the response cache saw, by result (hit, miss, bypass)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly purges = new Counter({
    name: 'gateway_response_cache_purges_total',
    help: 'Purges of the response cache (by mutations and subgraph events)',
    registers: [this.registry],
  });
  private readonly purgedTags = new Counter({
    name: 'gateway_response_cache_purged_tags_total',
    help: 'Entity and list tags purged from the response cache',
    registers: [this.registry],
  });
  private readonly fetches = new Counter({
    name: 'gateway_subgraph_fetches_total',
    help: 'Subgraph fetches, by subgraph and outcome (ok, timeout, unavailable, error)',
    labelNames: ['subgraph', 'outcome'],
    registers: [this.registry],
  });
  private readonly fetchDuration = new Histogram({
    name: 'gateway_subgraph_fetch_duration_seconds',
    help: 'Time of a subgraph fetch, retries included',
    labelNames: ['subgraph', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly passthroughs = new Counter({
    name: 'gateway_single_fetch_passthrough_total',
    help: 'Queries planned as one fetch whose answer is the client\'s (docs/adr/0048), by result: passed (the subgraph\'s bytes written as they came) or executed (its answer was not clean, so Apollo\'s executor shaped it)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly passthroughSeries = { passed: this.passthroughs.labels('passed'), executed: this.passthroughs.labels('executed') };
  /** The cache's reading of subgraph events: `gateway_cache_event_feed_*`, `gateway_cache_events_applied_total`. */
  readonly cacheEvents: ConsumerObserver = consumerMetrics(this.registry, 'gateway_cache');

  constructor(options: GatewayMetricsOptions) {
    this.cacheHits = options.cacheHits ?? true;
    this.operations = new BoundedLabel(operationNamesIn([...contractDocuments(), ...options.trustedDocuments]));
    this.clients = new BoundedLabel(options.config.clientNames, options.config.maxClientNames);
    this.clientVersions = new BoundedLabel([], options.config.maxClientNames);
    const circuitsOf = () => this.circuits;
    new Gauge({
      name: 'gateway_subgraph_circuit_state',
      help: 'Circuit breaker of each subgraph: 0 closed, 1 half-open, 2 open',
      labelNames: ['subgraph'],
      registers: [this.registry],
      collect() {
        for (const [subgraph, client] of circuitsOf()) this.set({ subgraph }, circuitGaugeValues[client.circuitState()]);
      },
    });
  }

  passthrough(result: PassthroughResult) {
    this.passthroughSeries[result].inc();
  }

  /** The subgraph clients whose circuits are read at each scrape. */
  watchCircuits(clients: ReadonlyMap<SubgraphName, { circuitState(): CircuitStateName }>) {
    this.circuits = clients;
  }

  /** Answers a GraphQL request with `answer` and counts it: outcome, duration, cache result, refusal. */
  async observeRequest(request: IncomingMessage, parts: GraphQLRequestParts, answer: () => Promise<GraphQLAnswer>): Promise<GraphQLAnswer> {
    const started = performance.now();
    const answered = await answer();
    const seconds = (performance.now() - started) / 1000;
    const cache = answered.headers.get('x-cache');
    const outcome = outcomeOf(answered, cache);
    const operation = this.operationOf(request, parts, cache);
    const client = this.clients.valueOf(headerOf(request, 'apollographql-client-name'), 'none');
    const version = this.clientVersions.valueOf(headerOf(request, 'apollographql-client-version'), 'none');
    const key = `${operation}\n${client}\n${version}\n${outcome}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = { count: this.requests.labels(operation, client, version, outcome), duration: this.requestDuration.labels(operation, client, outcome) };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.duration.observe(seconds);
    if (cache) {
      let lookups = this.cacheLookupSeries.get(cache);
      if (!lookups) this.cacheLookupSeries.set(cache, (lookups = this.cacheLookups.labels(cache.toLowerCase())));
      lookups.inc();
    }
    if (refusalCodes.has(outcome)) this.refusals.labels(outcome).inc();
    return answered;
  }

  /**
   * The operation of the request's access record (Apollo's, or the one the request names:
   * docs/adr/0022); for a hit that names none, the one a run of the same document had.
   */
  private operationOf(request: IncomingMessage, parts: GraphQLRequestParts, cache: string | undefined): string {
    const known = requestScopeOf(request)?.access.operationName ?? null;
    // Without a response cache no hit will ask, and remembering costs a key of the document's whole text.
    if (!this.cacheHits || (known && cache === 'HIT')) return this.operations.valueOf(known, 'none');
    const key = operationKeyOf(requestFieldsOf(parts));
    if (known) this.resolvedOperations.set(key, known);
    return this.operations.valueOf(known ?? this.resolvedOperations.get(key) ?? null, 'none');
  }

  /** A request turned away before it was read (its caller over budget). */
  turnedAway() {
    this.refusals.labels(ErrorCode.RATE_LIMITED).inc();
  }

  observeCost(estimated: number) {
    this.cost.observe(estimated);
  }

  observeFetch(subgraph: SubgraphName, outcome: FetchOutcome, seconds: number) {
    this.fetches.labels(subgraph, outcome).inc();
    this.fetchDuration.labels(subgraph, outcome).observe(seconds);
  }

  /** The store, its purges counted (a mutation's, and the event feeds'). */
  countingPurges(store: ResponseStore): ResponseStore {
    const purge = (tags: readonly string[]) => {
      if (tags.length > 0) {
        this.purges.inc();
        this.purgedTags.inc(tags.length);
      }
      return store.purge(tags);
    };
    return { ...store, purge };
  }
}
