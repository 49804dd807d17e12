import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanStatusCode, trace, tracingOn, type Span } from '@shop/tracing';

const tracer = trace.getTracer('@shop/graphql-kit');

const endSpan = (span: Span, failed: boolean) => {
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
};

/**
 * Spans for parsing and validating the operation (docs/adr/0023), children of the request's
 * span: Apollo Server has none of its own. A document Apollo has already parsed and validated
 * (its document cache) has neither.
 */
export function operationSpansPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      if (!tracingOn()) return;
      return {
        async parsingDidStart() {
          const span = tracer.startSpan('graphql.parse');
          return async (error) => endSpan(span, error !== undefined);
        },
        async validationDidStart() {
          const span = tracer.startSpan('graphql.validate');
          return async (errors) => endSpan(span, (errors?.length ?? 0) > 0);
        },
      };
    },
  };
}
