import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * How often graphql-js runs an operation before it is compiled: one seen once (a probe, a
 * hand-written query in a test) never pays for compiling. The gateway sends the same few
 * operations from its query plans, so they are compiled within their first requests.
 */
const RUNS_BEFORE_COMPILING = 2;

interface OperationPlan {
  runs: number;
  /** null: graphql-jit could not compile it, so graphql-js keeps running it. */
  compiled?: CompiledQuery | null;
}

/**
 * graphql-jit leaves an error's `extensions` undefined when what was thrown had none (a
 * database error, a bug); graphql-js always sets them, and Apollo Server's formatting reads
 * `extensions.code`: such an error would be answered without reaching our formatError, which
 * logs it and tells a busy database from a bug.
 */
function withGraphQLJsErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some((error) => error.extensions === undefined)) return result;
  const errors = result.errors.map((error) =>
    error.extensions === undefined
      ? Object.assign(new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined }), { locations: error.locations })
      : error,
  );
  return { ...result, errors };
}

/**
 * Executes a subgraph's operations with graphql-jit once they repeat (docs/adr/0050), through
 * Apollo Server's executor hook: Apollo Server still parses, validates, runs the plugins and
 * formats errors; only execution changes. graphql-jit compiles an operation into one function
 * that resolves, completes and serialises its fields without graphql-js's per-field
 * interpretation. Plans live as long as Apollo Server keeps the parsed document.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const plans = new WeakMap<DocumentNode, Map<string | null, OperationPlan>>();

  const compiledFor = (document: DocumentNode, source: string, operationName: string | null): CompiledQuery | null => {
    let ofDocument = plans.get(document);
    if (!ofDocument) plans.set(document, (ofDocument = new Map()));
    let plan = ofDocument.get(operationName);
    if (!plan) ofDocument.set(operationName, (plan = { runs: 0 }));
    if (plan.compiled !== undefined) return plan.compiled;
    if (++plan.runs <= RUNS_BEFORE_COMPILING) return null;
    // graphql-jit builds objects from literals, where a field or alias named __proto__ sets the
    // prototype instead of a key: graphql-js keeps running those.
    if (source.includes('__proto__')) return (plan.compiled = null);
    const compiled = compileQuery(schema, document, operationName ?? undefined);
    plan.compiled = isCompiledQuery(compiled) ? compiled : null;
    return plan.compiled;
  };

  const executor: GatewayExecutor = async ({ document, source, operationName, request, context }) => {
    const compiled = compiledFor(document, source, operationName);
    if (compiled) {
      const result = await compiled.query(undefined, context, request.variables ?? {});
      // No data: the variables were refused before anything ran. graphql-js words that refusal
      // the way Apollo Server recognises as bad user input (400 BAD_USER_INPUT).
      if (result.data !== undefined) return withGraphQLJsErrors(result);
    }
    return execute({ schema, document, contextValue: context, variableValues: request.variables, operationName });
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    load: async () => ({ executor }),
    stop: async () => {},
  };
}
