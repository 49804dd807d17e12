import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContext,
  GraphQLRequestContextDidResolveOperation,
  GraphQLRequestContextParsingDidStart,
  GraphQLRequestContextValidationDidStart,
  GraphQLRequestContextWillSendResponse,
  GraphQLRequestListener,
} from '@apollo/server';

/**
 * What one concern does in each request, synchronously, at the points of Apollo's request
 * pipeline it needs. Apollo awaits every hook of every plugin through `Promise.all`, a few
 * promises per plugin and hook on every request, each paying the async hooks of the request
 * scope: a subgraph runs its concerns as one plugin (docs/adr/0037). State a concern keeps
 * per request is keyed by the request's context value.
 */
export interface RequestHooks<Context extends BaseContext> {
  requestDidStart?(requestContext: GraphQLRequestContext<Context>): void;
  /** Returns what to run when parsing ends (with its error, if any). */
  parsingDidStart?(requestContext: GraphQLRequestContextParsingDidStart<Context>): ((error?: Error) => void) | void;
  /** Returns what to run when validation ends (with its errors, if any). */
  validationDidStart?(requestContext: GraphQLRequestContextValidationDidStart<Context>): ((errors?: readonly Error[]) => void) | void;
  /** May throw to refuse the operation (Apollo answers with the error). */
  didResolveOperation?(requestContext: GraphQLRequestContextDidResolveOperation<Context>): void;
  willSendResponse?(requestContext: GraphQLRequestContextWillSendResponse<Context>): void;
}

/**
 * Calls `hook` of every concern in order, as Apollo calls plugins: each runs even when an
 * earlier one threw, and the first failure is the one reported.
 */
function callAll<Argument>(hooks: ReadonlyArray<(argument: Argument) => void>, argument: Argument): void {
  let failure: { error: unknown } | undefined;
  for (const hook of hooks) {
    try {
      hook(argument);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

type EndHook<Outcome> = (outcome?: Outcome) => void;

const endAll =
  <Outcome>(ends: ReadonlyArray<EndHook<Outcome> | void>) =>
  async (outcome?: Outcome) =>
    callAll(
      ends.filter((end): end is EndHook<Outcome> => end !== undefined),
      outcome,
    );

/** The concerns as one Apollo plugin, each hook present only when some concern has it; the concerns run in the order given. */
export function pluginOf<Context extends BaseContext>(concerns: ReadonlyArray<RequestHooks<Context>>): ApolloServerPlugin<Context> {
  const hooksOf = <Name extends keyof RequestHooks<Context>>(name: Name) =>
    concerns.flatMap((concern) => (concern[name] ? [concern[name].bind(concern) as NonNullable<RequestHooks<Context>[Name]>] : []));
  const starts = hooksOf('requestDidStart');
  const parsing = hooksOf('parsingDidStart');
  const validation = hooksOf('validationDidStart');
  const operationResolved = hooksOf('didResolveOperation');
  const sending = hooksOf('willSendResponse');
  // One listener for every request: the hooks take the request from their argument.
  const listener: GraphQLRequestListener<Context> = {
    ...(parsing.length > 0 && { parsingDidStart: async (requestContext) => endAll(parsing.map((start) => start(requestContext))) }),
    ...(validation.length > 0 && { validationDidStart: async (requestContext) => endAll(validation.map((start) => start(requestContext))) }),
    ...(operationResolved.length > 0 && { didResolveOperation: async (requestContext) => callAll(operationResolved, requestContext) }),
    ...(sending.length > 0 && { willSendResponse: async (requestContext) => callAll(sending, requestContext) }),
  };
  return {
    async requestDidStart(requestContext) {
      callAll(starts, requestContext);
      return listener;
    },
  };
}
