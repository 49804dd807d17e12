// What the gateway and the subgraphs share. A subgraph's server, database and relays are
// @shop/graphql-kit/subgraph, so the gateway never loads them.
export {
  compareDecimals,
  decimalPlaces,
  formatDecimal,
  multiplyDecimal,
  parseDecimal,
  sumDecimals,
  type DecimalLike,
} from './decimal.js';
export {
  startHttpServer,
  type GraphQLAnswer,
  type GraphQLRequestParts,
  type HttpServerOptions,
  type Readiness,
  type RouteHandler,
  type RunningHttpServer,
  type StopOptions,
} from './http-server.js';
export { accessRecordPlugin, noteEstimatedCost, noteViewer, requestIdFrom, requestScopeOf, viewerKindOf } from './access-log.js';
export { idInput, isId, parseId } from './ids.js';
export { notNull, parseInput } from './input.js';
export { formatMoney, MAX_MONEY_AMOUNT, money, MONEY_SCALE, multiplyMoney, sumMoney, type Amount } from './money.js';
export { emptyPage, pageRequest, readPage, type Page, type PageArgs, type PageMeta, type PageWindow } from './pagination.js';
export { DateTimeScalar, DecimalScalar } from './scalars.js';
export { runService, StartRefused, type StartedService } from './main.js';
export { boundedText, literalPattern, textInput } from './text.js';
export { applyDirectivePermissions } from './permissions.js';
export { limitedParseOptions, structuralLimitRules, withLimitCodes, type StructuralLimits } from './operation-limits.js';
export { knownOperationTypesRule } from './operation-types.js';
export { nulCharacterPlugin } from './nul-characters.js';
export { answerCompression, type AnswerCompression } from './compression.js';
export { operationSpansPlugin } from './operation-spans.js';
export {
  costDirectivesFromSdl,
  createCostEstimator,
  type CostDirectives,
  type CostEstimator,
  type CostEstimatorOptions,
  type ListSize,
} from './cost.js';
export { selectsAny } from './selection.js';
