import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, httpStatusOfCode } from '@shop/errors';
import type { Logger } from '@shop/logging';
import type { GatewayContext } from './context.js';

/**
 * Refuses a request whose document does not single out one operation (several and no
 * `operationName`, or a name it does not hold) as Apollo Server refuses it when it executes
 * a schema itself: 400 OPERATION_RESOLUTION_FAILURE. Behind a gateway Apollo leaves it to
 * the gateway's executor, which throws an uncoded error (a 500); here it is refused before
 * anything estimates, authorises or plans the operation.
 */
export function operationResolutionPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (operation) return;
          const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length;
          // graphql-js's own wording for each case.
          const message = request.operationName
            ? `Unknown operation named "${request.operationName}".`
            : operations > 1
              ? 'Must provide operation name if query contains multiple operations.'
              : 'Must provide an operation.';
          throw new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } });
        },
      };
    },
  };
}

/**
 * The HTTP status of an answer that holds nothing (no data, or null for every field asked)
 * follows its errors' codes (httpStatusOfCode): a client's mistake is 4xx, an outage 503, so
 * that clients and load balancers can tell them apart from success. With several codes the
 * gravest wins. An answer with some data keeps its 200: what could be served, was. A
 * RATE_LIMITED error's wait becomes Retry-After.
 */
export function answerStatusPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || (response.http.status ?? 200) !== 200) return;
          const { data, errors } = response.body.singleResult;
          const holdsNothing = data == null || Object.values(data).every((value) => value === null);
          if (!holdsNothing || !errors?.length) return;
          // Apollo's own codes carry their status already (PERSISTED_QUERY_NOT_FOUND is a 200 on purpose).
          const statuses = errors.flatMap((error) => {
            const status = httpStatusOfCode[error.extensions?.code as ErrorCode];
            return status === undefined ? [] : [status];
          });
          if (statuses.length === 0) return;
          response.http.status = Math.max(...statuses);
          const wait = errors.find((error) => error.extensions?.code === ErrorCode.RATE_LIMITED)?.extensions?.retryAfterSeconds;
          if (response.http.status === 429 && typeof wait === 'number') response.http.headers.set('retry-after', String(wait));
        },
      };
    },
  };
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** graphql-js ends a message with its suggestions (Apollo's hideSchemaDetailsFromClientErrors strips the same). */
const SUGGESTIONS = / ?Did you mean(.+?)\?$/;

/**
 * Strips "Did you mean ...?" from every error a client sees: Apollo's
 * hideSchemaDetailsFromClientErrors does it for validation errors only, not for variables
 * the gateway coerces (an input field or enum value misspelt) nor for a subgraph's errors.
 */
export const withoutSuggestions =
  (format: FormatError): FormatError =>
  (formatted, error) => {
    const result = format(formatted, error);
    return SUGGESTIONS.test(result.message) ? { ...result, message: result.message.replace(SUGGESTIONS, '') } : result;
  };

/**
 * Drops `extensions.serviceName`, which Apollo Gateway adds to every error a subgraph
 * answered: in production a client learns what went wrong (the code), not how the API is cut
 * into services.
 */
export const withoutServiceNames =
  (format: FormatError): FormatError =>
  (formatted, error) => {
    const result = format(formatted, error);
    if (result.extensions?.serviceName === undefined) return result;
    const { serviceName: _hidden, ...extensions } = result.extensions;
    return { ...result, extensions };
  };

/**
 * What logs the errors formatError masks, with the id of their request: formatError is given no
 * context, and the gateway keeps no request in its async context (docs/adr/0047). Apollo hands
 * every error of an operation to didEncounterErrors before it formats it, so the plugin notes
 * there whose it is. An error formatted outside an operation (a context that failed) is logged
 * without an id.
 */
export function unexpectedErrorLog(logger: Logger): { plugin: ApolloServerPlugin<GatewayContext>; log: (error: unknown) => void } {
  const requestIds = new WeakMap<object, string>();
  const listener: GraphQLRequestListener<GatewayContext> = {
    async didEncounterErrors({ errors, contextValue }) {
      for (const error of errors) requestIds.set(error, contextValue.requestId);
    },
  };
  return {
    plugin: { requestDidStart: async () => listener },
    log: (error) => logger.error({ err: error, requestId: typeof error === 'object' && error !== null ? requestIds.get(error) : undefined }, 'unexpected error'),
  };
}
