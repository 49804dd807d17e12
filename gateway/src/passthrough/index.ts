import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Supergraph } from '@apollo/federation-internals';
import type { ApolloGateway, Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { getVariableValues, Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { subgraphNames, type SubgraphName } from '@shop/config';
import { splitReportedAnswer } from '@shop/contracts';
import type { GraphQLAnswer } from '@shop/graphql-kit';
import { inSpan, trace } from '@shop/tracing';
import { upTo } from '../bounded-lru.js';
import type { GatewayContext } from '../context.js';
import { printOperation } from '../operation-document.js';
import { restrictCachePolicy, type SubgraphClient } from '../subgraph-client.js';
import { shapeOf, type FieldShape } from './shape.js';

const tracer = trace.getTracer('@shop/gateway');

/** Operations whose plans were seen: far more than the operations a storefront and partners send. */
const KNOWN_OPERATIONS = 20_000;

/** The subgraph's data for one request's answer, left by the executor for the answer's bytes. */
export interface PassthroughSlot {
  data?: string;
}

/** One fetch of an operation: its text, its name, and the variables it is sent. */
interface Fetch {
  query: string;
  operationName: string | undefined;
  variables: readonly string[];
}

/** A query plan that is one fetch, and the fetch whose answer is, byte for byte, the client's. */
interface RootFetch {
  subgraph: SubgraphName;
  /** What the passthrough sends: the planner's fetch, or the client's own operation where the planner only reordered its fields. */
  sent: Fetch;
  /** The planner's fetch, as Apollo's executor sends it. */
  planned: Fetch;
}

/** How a request that could pass through ended: passed (the subgraph's bytes) or executed (Apollo's executor). */
export type PassthroughResult = 'passed' | 'executed';

const isSubgraphName = (name: string): name is SubgraphName => (subgraphNames as readonly string[]).includes(name);

function operationOf(document: { definitions: readonly { kind: string }[] }): { operation: OperationDefinitionNode; fragments: Record<string, FragmentDefinitionNode> } | null {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const fragments = Object.fromEntries(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return operations.length === 1 ? { operation: operations[0]!, fragments } : null;
}

/**
 * The single-fetch passthrough (docs/adr/0048). When a query's plan is one fetch from one
 * subgraph that asks for exactly what the client asked (same keys, same fields, same types,
 * nothing the gateway's result shaping would change), the subgraph's data is the answer's
 * data: the gateway sends the fetch and writes the bytes it got, without parsing, shaping and
 * serialising them again. Where the planner only reordered the client's fields, the client's
 * own operation is sent instead, and answered in the client's order.
 *
 * - Everything before execution stays Apollo's and ours: parsing, validation, persisted
 *   queries, access control, operation limits, demand control. So does the fetch: the same
 *   client, token, deadlines, breaker, retries and in-flight sharing.
 * - A plan is judged once, when Apollo's executor first plans the operation; until then, and
 *   for every plan that does not qualify, Apollo's executor runs as before.
 * - Any answer but a clean one (errors, another status, a failure, variables the schema
 *   refuses) goes to Apollo's executor, which is handed the answer already fetched: the
 *   client gets what it would have got without the passthrough, errors and their paths
 *   included, and the subgraph is asked once.
 */
export class SingleFetchPassthrough {
  private readonly rootFetches = new LRUCache<string, RootFetch | false>(upTo(KNOWN_OPERATIONS));
  private readonly subgraphSchemas: ReadonlyMap<string, GraphQLSchema>;
  private readonly slots = new WeakMap<IncomingMessage, PassthroughSlot>();
  /** What Apollo writes for the data of an answer that passed through; a value no client can send. */
  private readonly placeholder = { __passthrough: randomUUID() };
  private readonly placeholderJson = Buffer.from(JSON.stringify(this.placeholder));

  constructor(
    supergraphSdl: string,
    private readonly clients: ReadonlyMap<SubgraphName, SubgraphClient>,
    private readonly observe: (result: PassthroughResult) => void = () => undefined,
  ) {
    const subgraphs = Supergraph.build(supergraphSdl).subgraphs();
    this.subgraphSchemas = new Map(subgraphs.names().map((name) => [name, subgraphs.get(name)!.schema.toGraphQLJSSchema()]));
  }

  /** For ApolloGateway's experimental_didResolveQueryPlan: judges each operation's plan once. */
  readonly learnPlan: Experimental_DidResolveQueryPlanCallback = ({ queryPlan, operationContext, requestContext }) => {
    const key = keyOf(requestContext);
    if (this.rootFetches.has(key)) return;
    const node = queryPlan.node?.kind === 'Fetch' ? queryPlan.node : undefined;
    const oneFetch =
      node !== undefined &&
      node.operationKind === 'query' &&
      !node.requires &&
      !node.hasDefers &&
      !node.inputRewrites?.length &&
      !node.outputRewrites?.length &&
      !node.contextRewrites?.length &&
      isSubgraphName(node.serviceName);
    const planned = oneFetch ? { query: node.operation, operationName: node.operationName, variables: node.variableUsages ?? [] } : null;
    let sent: Fetch | null = null;
    try {
      sent = planned && this.fetchAnsweringExactly(operationContext.schema, operationContext.operation, operationContext.fragments, node!.serviceName, planned);
    } catch {
      // Called inside Apollo's executor: a plan this code cannot judge is executed as before, never refused.
    }
    this.rootFetches.set(key, planned && sent ? { subgraph: node!.serviceName as SubgraphName, sent, planned } : false);
  };

  /** ApolloGateway with its executor behind the passthrough. */
  around(gateway: ApolloGateway): GatewayInterface {
    return {
      load: async (options) => {
        const loaded = await gateway.load(options);
        return { ...loaded, executor: loaded.executor && this.executorAround(loaded.executor) };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    };
  }

  /** The request's slot, for its context. */
  slotOf(request: IncomingMessage): PassthroughSlot {
    const slot: PassthroughSlot = {};
    this.slots.set(request, slot);
    return slot;
  }

  /** The answer with the subgraph's data in place of the placeholder, when the request passed through. */
  fill(request: IncomingMessage, answer: GraphQLAnswer): GraphQLAnswer {
    const data = this.slots.get(request)?.data;
    if (data === undefined) return answer;
    const at = answer.body.indexOf(this.placeholderJson);
    if (at < 0) return answer;
    const body = Buffer.concat([answer.body.subarray(0, at), Buffer.from(data), answer.body.subarray(at + this.placeholderJson.length)]);
    return { ...answer, body };
  }

  private executorAround(execute: GatewayExecutor): GatewayExecutor {
    return async (requestContext) => {
      const fetch = this.rootFetches.get(keyOf(requestContext));
      if (!fetch) return execute(requestContext);
      const context = requestContext.context as GatewayContext;
      const provided = requestContext.request.variables ?? {};
      // Apollo's executor refuses variables the schema does not accept, before any fetch.
      const definitions = requestContext.operation.variableDefinitions ?? [];
      if (definitions.length > 0 && getVariableValues(requestContext.schema, definitions, provided).errors) return execute(requestContext);
      const client = this.clients.get(fetch.subgraph)!;
      const sent = requestOf(fetch.sent, provided);
      const planned = fetch.planned === fetch.sent ? sent : requestOf(fetch.planned, provided);
      const answer = await inSpan(tracer, 'gateway.fetch', async (span) => {
        span.setAttribute('service', fetch.subgraph);
        return client.fetchAhead(sent, planned, context).catch(() => null);
      });
      const split = answer?.status === 200 ? splitReportedAnswer(answer.body) : null;
      // A query reports no changes; one that did would need its purges first, as Apollo's path does.
      if (!answer || !split || split.report.changes.length > 0) {
        this.observe('executed');
        return execute(requestContext);
      }
      context.fetchedAhead = undefined;
      context.cache.record(split.report);
      restrictCachePolicy(requestContext, answer);
      context.passthrough.data = split.data;
      this.observe('passed');
      return { data: this.placeholder };
    };
  }

  /**
   * The fetch whose answer from `subgraph` is the client's answer to `operation` as Apollo would
   * shape it: the planned fetch when it asks exactly the client's fields in the client's order,
   * or the client's own operation when the planner only reordered them (it moves a named
   * fragment's fields first) and the subgraph answers the client's operation in its order.
   * Null when neither is.
   */
  private fetchAnsweringExactly(
    apiSchema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    subgraph: string,
    planned: Fetch,
  ): Fetch | null {
    const subgraphSchema = this.subgraphSchemas.get(subgraph);
    const apiQuery = apiSchema.getQueryType();
    const subgraphQuery = subgraphSchema?.getQueryType();
    if (!subgraphSchema || !apiQuery || !subgraphQuery || apiQuery.name !== subgraphQuery.name) return null;
    if (operation.operation !== 'query' || operation.directives?.length) return null;
    const fetch = operationOf(parse(planned.query));
    if (!fetch || fetch.operation.directives?.length) return null;
    const asked = shapeOf(apiSchema, apiQuery, operation.selectionSet.selections, fragments);
    const answered = shapeOf(subgraphSchema, subgraphQuery, fetch.operation.selectionSet.selections, fetch.fragments);
    if (!asked || !answered) return null;
    if (sameShapes(asked, answered)) return planned;
    if (!sameShapes(inKeyOrder(asked), inKeyOrder(answered))) return null;
    const answeredInOrder = shapeOf(subgraphSchema, subgraphQuery, operation.selectionSet.selections, fragments);
    if (!answeredInOrder || !sameShapes(asked, answeredInOrder)) return null;
    return {
      query: printOperation(operation, Object.values(fragments)),
      operationName: operation.name?.value,
      variables: (operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value),
    };
  }
}

/** The body's parts of one fetch: the variables it is sent, as the client gave them (as Apollo's executor sends them). */
function requestOf(fetch: Fetch, provided: Record<string, unknown>) {
  const variables: Record<string, unknown> = {};
  for (const name of fetch.variables) {
    if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }
  return { query: fetch.query, variables, operationName: fetch.operationName };
}

const sameShapes = (one: readonly FieldShape[], other: readonly FieldShape[]) => JSON.stringify(one) === JSON.stringify(other);

const inKeyOrder = (shapes: readonly FieldShape[]): FieldShape[] =>
  [...shapes].sort((one, other) => (one.key < other.key ? -1 : 1)).map((shape) => ({ ...shape, fields: shape.fields && inKeyOrder(shape.fields) }));

/** Apollo's own key for an operation's plan: the document and the operation named. */
const keyOf = (requestContext: { queryHash: string; request: { operationName?: string } }) => `${requestContext.queryHash}\n${requestContext.request.operationName ?? ''}`;
