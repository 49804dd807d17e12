import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { ApolloGateway } from '@apollo/gateway';
import type { Viewer } from '@shop/auth';
import { subgraphNames, type CorsConfig, type DemandControlConfig, type GatewayConfig, type GatewayMetricsConfig, type KeyRing, type NatsConfig, type OperationLimits, type RedisConfig, type SubgraphFetchConfig, type SubgraphName } from '@shop/config';
import { maskUnexpectedErrors } from '@shop/errors';
import {
  accessRecordPlugin,
  createCostEstimator,
  knownOperationTypesRule,
  limitedParseOptions,
  noteViewer,
  nulCharacterPlugin,
  operationSpansPlugin,
  requestScopeOf,
  startHttpServer,
  structuralLimitRules,
  withLimitCodes,
  type RunningHttpServer,
  type StopOptions,
} from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import { exposition, startMetricsServer } from '@shop/metrics';
import { closeRedis, connectRedis, firstConnection, logRedisAvailability } from '@shop/redis';
import { accessControlPlugin } from './access-control.js';
import { startCacheEvents } from './cache/event-feed.js';
import { CacheRecorder, cacheRecorderPlugin } from './cache/recorder.js';
import { RedisKeyValueCache } from './cache/redis-key-value.js';
import { createRedisStore } from './cache/redis-store.js';
import { createResponseCache } from './cache/response-cache.js';
import { createMemoryStore } from './cache/store.js';
import { answerStatusPlugin, operationResolutionPlugin, unexpectedErrorLog, withoutServiceNames, withoutSuggestions } from './client-errors.js';
import type { GatewayContext } from './context.js';
import { createAuthenticator } from './credentials.js';
import { createCostBudgets } from './demand-control/budgets.js';
import { createDemandControl } from './demand-control/plugin.js';
import { gatewayReadiness, redisReadiness, startSubgraphProbe, type SubgraphStatus } from './health.js';
import { GatewayMetrics } from './metrics.js';
import { loadManifest, TrustedDocumentsFirstCache, withPersistedQueryMismatchCode } from './persisted-documents.js';
import { SingleFetchPassthrough } from './passthrough/index.js';
import { SubgraphClient, type CircuitStateName } from './subgraph-client.js';
import { loadSupergraph } from './supergraph.js';

export { supergraphPath } from './supergraph.js';
export type { CircuitStateName, SubgraphClient } from './subgraph-client.js';
export const partnerManifestPath = new URL('../../schema/partner-manifest.json', import.meta.url);

/** Registered automatic persisted queries, when kept in process (no REDIS_URL). */
const REGISTERED_QUERIES_BYTES = 16 * 1024 * 1024;
/** A registered query lives this long after its last registration. */
const REGISTERED_QUERY_TTL_SECONDS = 86_400;
/** Query plans by operation: far more than the operations a storefront and partners send. */
const QUERY_PLAN_CACHE_MIB = 32;

export interface GatewayOptions {
  host: string;
  port: number;
  subgraphUrls: Record<SubgraphName, string>;
  /** Each subgraph fetch's deadlines, each subgraph's circuit breaker, and the retries of query fetches. */
  subgraphFetch: SubgraphFetchConfig;
  /** Behind a trusted proxy, the client address is X-Forwarded-For's first hop. */
  trustProxy: boolean;
  /** Production: introspection for admins only, and no suggestions in errors (the landing page holds no data: anyone's). */
  production: boolean;
  /** The origins browsers may call from (docs/adr/0024). */
  cors: CorsConfig;
  gatewayKeys: KeyRing;
  /** Response cache and persisted queries in Redis when it has a URL, in process otherwise. */
  redis: RedisConfig;
  responseCache: GatewayConfig['responseCache'];
  /** The cache reads subgraph events from this stream when set (NATS_URL), from each subgraph's HTTP feed when null. */
  nats: NatsConfig | null;
  /** How long a verdict on a credential is reused (CREDENTIAL_CACHE_MS). */
  credentialCacheMs: number;
  /** A query planned as one fetch whose answer is the client's is written as the subgraph sent it (docs/adr/0048). */
  singleFetchPassthrough: boolean;
  /** Bounds on an operation's shape, checked before planning. */
  operationLimits: OperationLimits;
  /** Cost estimation, the maximum cost and per-caller budgets. */
  demandControl: DemandControlConfig;
  /** GET /metrics on a port of its own; in development also on the main port (docs/adr/0021). */
  metrics: GatewayMetricsConfig;
  logger: Logger;
  /** One access line per request, at info (ACCESS_LOG; on unless false). */
  accessLog?: boolean;
}

export interface RunningGateway extends RunningHttpServer {
  /** The client of each subgraph: `circuitState()` tells whether the gateway is reaching it. */
  readonly subgraphClients: ReadonlyMap<SubgraphName, SubgraphClient>;
  /** Where Prometheus scrapes the gateway. */
  readonly metricsUrl: string;
}

function clientIpOf(request: IncomingMessage, trustProxy: boolean): string | null {
  const forwarded = request.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return (trustProxy && first) || request.socket.remoteAddress || null;
}

/**
 * The gateway serves the supergraph composed in the repo (schema/supergraph.graphql): no
 * subgraph is introspected at run time, and each subgraph's URL comes from configuration.
 * It authenticates every request, enforces the access rules the SDL declares, and tells
 * subgraphs who is calling with a token only it can sign.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { logger, subgraphUrls, gatewayKeys, production, operationLimits, subgraphFetch } = options;
  const supergraph = loadSupergraph();
  const trustedDocuments = loadManifest(partnerManifestPath);
  const authenticator = createAuthenticator(subgraphUrls.users, gatewayKeys, options.credentialCacheMs);
  // The door, the cache and execution each ask who the caller is: one credential check per
  // request answers all three, and its access line learns the kind.
  const viewers = new WeakMap<IncomingMessage, Promise<Viewer>>();
  const viewerOf = (request: IncomingMessage) => {
    let viewer = viewers.get(request);
    if (!viewer) {
      const scope = requestScopeOf(request);
      viewer = authenticator.viewerFor(request.headers, scope?.requestId).then((known) => noteViewer(scope, known));
      viewers.set(request, viewer);
    }
    return viewer;
  };
  const metrics = new GatewayMetrics({ config: options.metrics, trustedDocuments: trustedDocuments.values(), cacheHits: options.responseCache.enabled });
  const subgraphClients = new Map(
    subgraphNames.map((name) => [
      name,
      new SubgraphClient(name, subgraphUrls[name], gatewayKeys, {
        deadlines: subgraphFetch.deadlines[name],
        breaker: subgraphFetch.breaker,
        retry: subgraphFetch.retry,
        logger,
        observeFetch: (subgraph, outcome, seconds) => metrics.observeFetch(subgraph, outcome, seconds),
      }),
    ]),
  );
  metrics.watchCircuits(subgraphClients);
  const passthrough = options.singleFetchPassthrough ? new SingleFetchPassthrough(supergraph.sdlForGateway, subgraphClients, (result) => metrics.passthrough(result)) : null;
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.sdlForGateway,
    buildService: ({ name }) => {
      const client = subgraphClients.get(name as SubgraphName);
      if (!client) throw new Error(`the supergraph names a subgraph the gateway has no URL for: ${name}`);
      return client;
    },
    experimental_approximateQueryPlanStoreMiB: QUERY_PLAN_CACHE_MIB,
    ...(passthrough && { experimental_didResolveQueryPlan: passthrough.learnPlan }),
    logger,
  });
  const redis = options.redis.url ? connectRedis({ ...options.redis, url: options.redis.url }) : null;
  if (redis) logRedisAvailability(redis, logger);
  const store = metrics.countingPurges(
    redis ? createRedisStore(redis, options.redis.keyPrefix, logger) : createMemoryStore(options.responseCache.memoryBytes),
  );
  const cacheEvents = options.responseCache.enabled
    ? startCacheEvents({
        nats: options.nats,
        feeds: { catalog: subgraphUrls.catalog, orders: subgraphUrls.orders },
        store,
        gatewayKeys,
        idleMs: options.responseCache.eventPollMs,
        logger,
        observe: metrics.cacheEvents,
      })
    : null;
  const responseCache = cacheEvents
    ? createResponseCache({
        store,
        viewerOf,
        trustedDocuments,
        maxTokens: operationLimits.maxTokens,
        logger,
        // The broker away says nothing of the subgraphs, which change on: answers it would have
        // purged are not served for long. A feed away is its subgraph down: nothing changes there.
        ...(options.nats && { eventsCurrent: () => cacheEvents.state() === 'current', maxAgeWithoutEventsMs: options.responseCache.maxAgeWithoutEventsMs }),
      })
    : null;
  const demandControl = createDemandControl({
    config: options.demandControl,
    estimator: createCostEstimator(supergraph.cost, { defaultListSize: options.demandControl.defaultListSize }),
    budgets: createCostBudgets({ redis, keyPrefix: options.redis.keyPrefix, windowSeconds: options.demandControl.budgets.windowSeconds }),
    maxVariablesBytes: operationLimits.maxVariablesBytes,
    logger,
    observeCost: (estimated) => metrics.observeCost(estimated),
  });
  const registeredQueries = redis
    ? new RedisKeyValueCache(redis, `${options.redis.keyPrefix}apq:`)
    : new InMemoryLRUCache<string>({ maxSize: REGISTERED_QUERIES_BYTES });
  const unexpectedErrors = unexpectedErrorLog(logger);
  const formatError = withLimitCodes(withPersistedQueryMismatchCode(maskUnexpectedErrors(unexpectedErrors.log)));
  const apollo = new ApolloServer<GatewayContext>({
    gateway: passthrough ? passthrough.around(gateway) : gateway,
    includeStacktraceInErrorResponses: false,
    // Apollo refuses introspection to everyone in production; accessControlPlugin answers it for admins.
    introspection: true,
    // The HTTP front applies the same rule to every request, the response cache's hits included.
    csrfPrevention: false,
    // runService stops the gateway on SIGTERM; Apollo's own handler (production only) would race it.
    stopOnTerminationSignals: false,
    // Refused before planning: past a token bound the document is not even lexed further.
    parseOptions: limitedParseOptions(operationLimits),
    validationRules: [...structuralLimitRules(operationLimits), knownOperationTypesRule],
    formatError: production ? withoutServiceNames(withoutSuggestions(formatError)) : formatError,
    persistedQueries: {
      cache: new TrustedDocumentsFirstCache(trustedDocuments, registeredQueries),
      ttl: REGISTERED_QUERY_TTL_SECONDS,
    },
    plugins: [
      // First: the others' didResolveOperation hooks run beside it, and expect an operation.
      operationResolutionPlugin(),
      nulCharacterPlugin(),
      operationSpansPlugin(),
      cacheRecorderPlugin(),
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      accessControlPlugin({ requirements: supergraph.requirements, production, trustedDocumentIds: new Set(trustedDocuments.keys()) }),
      demandControl.plugin,
      answerStatusPlugin(),
      accessRecordPlugin(),
      unexpectedErrors.plugin,
    ],
  });
  // Redis is waited for no longer than its connect timeout: without it the gateway serves all the same (docs/adr/0015).
  await Promise.all([apollo.start(), redis && firstConnection(redis, options.redis)]);
  const subgraphProbe = startSubgraphProbe(subgraphUrls);
  const http = await startHttpServer<GatewayContext>({
    apollo,
    context: async (request, _rawBody, scope) => ({
      requestId: scope.requestId,
      viewer: await viewerOf(request),
      clientIp: clientIpOf(request, options.trustProxy),
      cache: responseCache?.recorderOf(request) ?? new CacheRecorder(),
      passthrough: passthrough?.slotOf(request) ?? {},
    }),
    cors: options.cors,
    compress: true,
    // Everything serving a request here has the request or its context: no AsyncLocalStorage,
    // whose promise hooks cost a cache hit about 9 % on Node 20 (docs/adr/0047).
    asyncRequestScope: false,
    // A caller known to be over budget is turned away before its request is read, or the cache consulted.
    turnAway: async (request) => {
      const viewer = await viewerOf(request).catch(() => null);
      const refusal = viewer ? await demandControl.turnAway(viewer, clientIpOf(request, options.trustProxy)) : null;
      if (refusal) metrics.turnedAway();
      return refusal;
    },
    aroundGraphQL: (request, parts, execute) => {
      const answer = passthrough ? () => execute().then((executed) => passthrough.fill(request, executed)) : execute;
      return metrics.observeRequest(request, parts, () => (responseCache ? responseCache.around(request, parts, answer) : answer()));
    },
    metrics: production ? undefined : () => exposition(metrics.registry),
    readiness: gatewayReadiness({
      subgraphs: () => {
        const probed = subgraphProbe.statuses();
        const states = subgraphNames.map((name) => [name, { ready: probed[name], circuit: subgraphClients.get(name)!.circuitState() }]);
        return Object.fromEntries(states) as Record<SubgraphName, { ready: SubgraphStatus; circuit: CircuitStateName }>;
      },
      redis: redisReadiness(redis),
      events: () => (cacheEvents ? { source: options.nats ? 'broker' : 'feeds', state: cacheEvents.state() } : 'off'),
    }),
    host: options.host,
    port: options.port,
    logger,
    accessLog: options.accessLog ?? true,
  });
  const metricsServer = await startMetricsServer(metrics.registry, options.metrics.endpoint, logger);
  logger.info({ url: http.url }, 'gateway ready');
  const stop = async (stopOptions?: StopOptions) => {
    await http.stop(stopOptions);
    await metricsServer.stop();
    subgraphProbe.stop();
    await cacheEvents?.stop();
    await apollo.stop();
    // Every request has been answered or cut: a fetch still waiting has no one to answer to.
    await Promise.all([...subgraphClients.values()].map((client) => client.close()));
    await closeRedis(redis);
  };
  let stopped: Promise<void> | undefined;
  return {
    ...http,
    subgraphClients,
    metricsUrl: metricsServer.url,
    // Idempotent: a test may stop an instance early and again at teardown.
    stop: (stopOptions?: StopOptions) => (stopped ??= stop(stopOptions)),
  };
}
