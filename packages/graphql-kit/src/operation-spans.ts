import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanStatusCode, trace, tracingOn, type Span } from '@shop/tracing';
import { pluginOf, type RequestHooks } from './request-hooks.js';

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
export function operationSpans<Context extends BaseContext>(): RequestHooks<Context> {
  return {
    parsingDidStart() {
      if (!tracingOn()) return;
      const span = tracer.startSpan('graphql.parse');
      return (error) => endSpan(span, error !== undefined);
    },
    validationDidStart() {
      if (!tracingOn()) return;
      const span = tracer.startSpan('graphql.validate');
      return (errors) => endSpan(span, (errors?.length ?? 0) > 0);
    },
  };
}

/** operationSpans as a plugin of its own, listening to no request while tracing is off. */
export function operationSpansPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  const spans = pluginOf([operationSpans<Context>()]);
  return { requestDidStart: async (requestContext) => (tracingOn() ? spans.requestDidStart!(requestContext) : undefined) };
}
