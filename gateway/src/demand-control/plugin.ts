import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { isAdmin, type Viewer } from '@shop/auth';
import type { DemandControlConfig } from '@shop/config';
import { ApolloErrorCode, AppError, ErrorCode } from '@shop/errors';
import { noteEstimatedCost, requestScopeOf, type CostEstimator, type GraphQLAnswer } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import { inSpan, trace } from '@shop/tracing';
import type { GatewayContext } from '../context.js';
import { budgetAccountOf, type BudgetAccount, type CostBudgets } from './budgets.js';

const tracer = trace.getTracer('@shop/gateway');

/** An admin sends this header (any value) to get the operation's cost back; such requests bypass the response cache. */
export const COST_REPORT_HEADER = 'x-cost-report';
/** The estimated cost, on answers to a cost report request. */
const ESTIMATED_COST_HEADER = 'x-cost-estimated';

/**
 * What an operation refused before it runs (unparsable, invalid, past a limit, too expensive)
 * costs its caller: refusing is cheap, but not free, and a flood of refused operations
 * spends the budget like any other, after which the caller is turned away at the door.
 */
export const REFUSAL_COST = 100;

/**
 * A caller turned away gets its 429 after this long. A client retrying in a tight loop then
 * asks a few times a second instead of thousands, and the gateway's CPU stays with the callers
 * within budget. Holding an idle socket this long costs next to nothing.
 */
const TURN_AWAY_DELAY_MS = 250;

/** Codes of operations refused before planning: at this stage Apollo's own codes stand for the limits. */
const refusedBeforePlanning = new Set<unknown>([
  ApolloErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.VARIABLES_TOO_LARGE,
  ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE,
]);

export interface DemandControlOptions {
  config: DemandControlConfig;
  estimator: CostEstimator;
  budgets: CostBudgets;
  maxVariablesBytes: number;
  logger: Logger;
  /** Told of each operation's estimated cost. */
  observeCost?: (estimated: number) => void;
}

export interface DemandControl {
  plugin: ApolloServerPlugin<GatewayContext>;
  /** The 429 for a caller this instance knows to be over budget, before its request is read; null to go on. */
  turnAway(viewer: Viewer, clientIp: string | null): Promise<GraphQLAnswer | null>;
}

/** What admission decided for one request: the numbers an admin's cost report shows. */
interface CostReport {
  estimated: number;
  max: number;
  mode: DemandControlConfig['mode'];
  budget: { capacity: number; remaining: number; resetSeconds: number };
}

const refusal = (code: ErrorCode, message: string, status: number, extensions: Record<string, unknown> = {}, headers?: HeaderMap) =>
  new AppError(code, message, { ...extensions, http: { status, ...(headers ? { headers } : {}) } });

/**
 * The variables bound, then admission by cost (docs/adr/0009): after the document is parsed,
 * validated against the structural limits and its operation chosen, and before the query
 * planner or any subgraph sees it, the operation's cost is estimated (compiled once per
 * document, evaluated with the variables) and refused above the maximum; then the caller
 * pays it from its budget.
 */
export function createDemandControl(options: DemandControlOptions): DemandControl {
  const { config, estimator, budgets, logger } = options;
  const enforce = config.mode === 'enforce';
  const accountOf = (context: GatewayContext) => budgetAccountOf(context.viewer, context.clientIp, config.budgets);
  const overBudget = (account: BudgetAccount, resetSeconds: number) => ({
    message: `Cost budget of ${account.capacity} per ${config.budgets.windowSeconds} s is spent; retry in ${resetSeconds} s`,
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: resetSeconds },
  });

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ request }) {
      let report: CostReport | undefined;
      const wantsReport = request.http?.headers.has(COST_REPORT_HEADER) ?? false;
      return {
        async didResolveOperation({ schema, document, operation, operationName, contextValue }) {
          // A document that does not single out an operation is refused as it is (operationResolutionPlugin).
          if (!operation) return;
          await inSpan(tracer, 'gateway.demand_control', async (span) => {
            const variablesBytes = request.variables ? Buffer.byteLength(JSON.stringify(request.variables)) : 0;
            if (variablesBytes > options.maxVariablesBytes) {
              throw refusal(ErrorCode.VARIABLES_TOO_LARGE, `Variables of ${variablesBytes} bytes are above the limit of ${options.maxVariablesBytes}`, 400);
            }
            if (config.mode === 'off') return;
            const estimated = estimator.estimate(schema, document, operationName, request.variables);
            span.setAttribute('graphql.cost.estimated', estimated);
            noteEstimatedCost(requestScopeOf(contextValue), estimated);
            options.observeCost?.(estimated);
            const account = accountOf(contextValue);
            // An operation that costs more than the caller's whole budget could never run: refusing it
            // as too expensive tells the caller that waiting will not help.
            const max = Math.min(config.maxCost, account.capacity);
            if (estimated > max) {
              const message = `The operation's estimated cost ${estimated} is above the maximum of ${max}: ask for fewer items or less nesting`;
              if (enforce) throw refusal(ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE, message, 400, { cost: { estimated, max } });
              logger.warn({ operationName, estimated, max }, 'demand control (measure mode): would refuse as too expensive');
            }
            // Every executed operation costs at least one unit, so a flood of free ones is bounded too.
            const spend = await budgets.spend(account, Math.max(1, Math.ceil(Math.min(estimated, account.capacity))));
            report = { estimated, max, mode: config.mode, budget: { capacity: account.capacity, remaining: spend.remaining, resetSeconds: spend.resetSeconds } };
            if (!spend.allowed) {
              if (enforce) {
                const { message, extensions } = overBudget(account, spend.resetSeconds);
                throw refusal(ErrorCode.RATE_LIMITED, message, 429, extensions, new HeaderMap([['retry-after', String(spend.resetSeconds)]]));
              }
              logger.warn({ operationName, estimated, account: account.key }, 'demand control (measure mode): would refuse, budget spent');
            }
          });
        },
        async didEncounterErrors({ errors, contextValue }) {
          if (config.mode === 'off' || !errors.some((error) => refusedBeforePlanning.has(error.extensions.code))) return;
          await budgets.spend(accountOf(contextValue), REFUSAL_COST);
        },
        async willSendResponse({ response, contextValue }) {
          if (!wantsReport || !report || !isAdmin(contextValue.viewer)) return;
          response.http.headers.set(ESTIMATED_COST_HEADER, String(report.estimated));
          if (response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost: report };
          }
        },
      };
    },
  };

  return {
    plugin,
    async turnAway(viewer, clientIp) {
      if (!enforce) return null;
      const account = budgetAccountOf(viewer, clientIp, config.budgets);
      const resetSeconds = budgets.blockedFor(account);
      if (resetSeconds === null) return null;
      await new Promise((resolve) => setTimeout(resolve, TURN_AWAY_DELAY_MS));
      return {
        status: 429,
        headers: new Map([
          ['content-type', 'application/json; charset=utf-8'],
          ['retry-after', String(resetSeconds)],
        ]),
        body: Buffer.from(JSON.stringify({ errors: [overBudget(account, resetSeconds)] })),
      };
    },
  };
}
