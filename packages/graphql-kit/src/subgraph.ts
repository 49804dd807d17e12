import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse, type DocumentNode } from 'graphql';
import { accessRequirementsFromSdl } from '@shop/auth';
import type { SubgraphLimits } from '@shop/config';
import { databaseWasUnavailable, noteDatabaseBusy, passedRowBound } from '@shop/db';
import { maskUnexpectedErrors } from '@shop/errors';
import type { Logger, RequestScope } from '@shop/logging';
import { accessRecord } from './access-log.js';
import { operationSpans } from './operation-spans.js';
import { startHttpServer, type HttpServerOptions, type Readiness, type RouteHandler, type RunningHttpServer } from './http-server.js';
import { applyStaticCacheHints, staticCacheControl } from './cache-control.js';
import { cacheReport, entityTypesOf, reportEntityTags } from './cache-report.js';
import { compiledExecution } from './compiled-execution.js';
import { databaseOutageAnswer } from './database-outage.js';
import { nulCharacterCheck } from './nul-characters.js';
import { limitedParseOptions, structuralLimitRules, withLimitCodes } from './operation-limits.js';
import { knownOperationTypesRule } from './operation-types.js';
import { applyDirectivePermissions } from './permissions.js';
import { pluginOf } from './request-hooks.js';
import { rowBoundAnswer } from './row-bound.js';
import { DateTimeScalar, DecimalScalar } from './scalars.js';

export interface SubgraphServerOptions<Context extends BaseContext> {
  /** URL of the subgraph's schema.graphql (the source of truth). */
  schemaUrl: URL;
  /** Resolvers as generated types describe them; scalars are added here. */
  resolvers: object;
  /** `rawBody`: the body's text as it arrived, which the gateway's token is bound to; `scope`: the request's access record. */
  context: (request: IncomingMessage, rawBody: string, scope: RequestScope) => Promise<Context>;
  readiness: () => Promise<Readiness>;
  routes?: Record<string, RouteHandler>;
  aroundRequest?: (handle: () => Promise<void>) => Promise<void>;
  metrics?: HttpServerOptions<BaseContext>['metrics'];
  /** True when the caller sees more than others do: its responses are never shared. */
  seesMoreThanOthers: (context: Context) => boolean;
  /**
   * A document past the depth or token bound is refused before it runs, whoever sent it. The
   * row bound is kept by the request scope aroundRequest opens; here a stopped request gets its answer.
   */
  limits: SubgraphLimits;
  host: string;
  port: number;
  logger: Logger;
  /** One access line per request, at info. */
  accessLog: boolean;
}

/** The subgraph's executable schema, with the access rules its SDL declares applied. */
export const buildSchemaFromSdl = (schemaUrl: URL, resolvers: object) => schemaOf(readSdl(schemaUrl), resolvers);

const readSdl = (schemaUrl: URL) => parse(readFileSync(schemaUrl, 'utf8'));

function schemaOf(typeDefs: DocumentNode, resolvers: object) {
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: { Decimal: DecimalScalar, DateTime: DateTimeScalar, ...resolvers } as GraphQLResolverMap<unknown>,
  });
  // The cache wrappers outermost: a refused lookup still names what it asked for, as before.
  return applyStaticCacheHints(reportEntityTags(applyDirectivePermissions(schema, accessRequirementsFromSdl(typeDefs)), entityTypesOf(typeDefs)));
}

/** A federation subgraph over HTTP, with errors masked, operations bounded and no landing page of its own. */
export async function startSubgraphServer<Context extends BaseContext>(
  options: SubgraphServerOptions<Context>,
): Promise<RunningHttpServer> {
  const typeDefs = readSdl(options.schemaUrl);
  const apollo = new ApolloServer<Context>({
    gateway: compiledExecution(schemaOf(typeDefs, options.resolvers)),
    includeStacktraceInErrorResponses: false,
    // The HTTP front applies the same rule to every request (csrf.ts).
    csrfPrevention: false,
    // runService stops the whole service on SIGINT/SIGTERM; Apollo stopping itself beside it
    // left the process running after a SIGTERM.
    stopOnTerminationSignals: false,
    validationRules: [...structuralLimitRules(options.limits), knownOperationTypesRule],
    parseOptions: limitedParseOptions(options.limits),
    formatError: withLimitCodes(
      maskUnexpectedErrors((error) => {
        // Past the row bound or without a database, errors follow from the refused or failed
        // statements: rowBoundAnswer and databaseOutageAnswer report the request once. Errors
        // are formatted before willSendResponse, so a busy database noted here answers 503.
        if (noteDatabaseBusy(error)) return;
        if (passedRowBound() === undefined && !databaseWasUnavailable()) options.logger.error({ err: error }, 'unexpected error');
      }),
    ),
    // No Apollo Studio here: inline traces would only cost time on every request. Apollo's
    // cache-control plugin hooked every field; the same header comes from the SDL's hints.
    // Ours are one plugin: Apollo awaits each plugin's every hook (docs/adr/0037).
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      pluginOf<Context>([
        staticCacheControl(),
        rowBoundAnswer(options.logger),
        databaseOutageAnswer(options.logger),
        nulCharacterCheck(),
        operationSpans(),
        cacheReport(options.seesMoreThanOthers),
        accessRecord(),
      ]),
    ],
  });
  await apollo.start();
  const http = await startHttpServer({ ...options, apollo, continueTraces: true });
  return {
    ...http,
    stop: async (stopOptions) => {
      await http.stop(stopOptions);
      await apollo.stop();
    },
  };
}
