/**
 * Every error code a client can see in `extensions.code`. Codes are part of the public
 * contract: add freely, never rename.
 */
export const ErrorCode = {
  /** Input that fails validation (malformed id, negative price, page below 1...). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** No or bad credentials. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A known caller that is not allowed. */
  FORBIDDEN: 'FORBIDDEN',
  /** The record does not exist, or the caller may not know that it does. */
  NOT_FOUND: 'NOT_FOUND',
  /** A write that conflicts with existing data (a duplicate email, a category name...). */
  CONFLICT: 'CONFLICT',
  /** An order line asks for more units than are in stock. */
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  /** The product exists but cannot be ordered (inactive or deleted). */
  PRODUCT_UNAVAILABLE: 'PRODUCT_UNAVAILABLE',
  /** One order cannot mix currencies. */
  MIXED_CURRENCIES: 'MIXED_CURRENCIES',
  /** An idempotency key already used for a different request. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** Another checkout of the same cart (under another idempotency key) is placing its order: one cart makes one order. */
  CHECKOUT_IN_PROGRESS: 'CHECKOUT_IN_PROGRESS',
  /** The order's status cannot change that way (see the order state machine). */
  INVALID_STATUS_TRANSITION: 'INVALID_STATUS_TRANSITION',
  /** A service the operation needs did not answer; retrying (with the same idempotency key) is safe. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Too many attempts, or the caller's cost budget is spent; try again after `Retry-After` seconds. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The operation nests fields deeper than the limit. */
  MAX_DEPTH_LIMIT: 'MAX_DEPTH_LIMIT',
  /** The operation uses more aliases than the limit. */
  MAX_ALIASES_LIMIT: 'MAX_ALIASES_LIMIT',
  /** The operation selects more root fields than the limit. */
  MAX_ROOT_FIELDS_LIMIT: 'MAX_ROOT_FIELDS_LIMIT',
  /** The operation uses more directives than the limit. */
  MAX_DIRECTIVES_LIMIT: 'MAX_DIRECTIVES_LIMIT',
  /** The document has more tokens than the limit (it is not parsed further). */
  MAX_TOKENS_LIMIT: 'MAX_TOKENS_LIMIT',
  /** The request's variables are larger than the limit. */
  VARIABLES_TOO_LARGE: 'VARIABLES_TOO_LARGE',
  /** The operation's estimated cost (see @cost and @listSize in the schema) is above the maximum. */
  COST_ESTIMATED_TOO_EXPENSIVE: 'COST_ESTIMATED_TOO_EXPENSIVE',
  /** A subgraph stopped a request that loaded more records than one request may. */
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  /** The operation is part of the contract but not served yet. */
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  /** Anything unexpected: the message never carries internals. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A subgraph did not answer within its deadline: the fields it serves are null, the others answered. Retry later. */
  SUBGRAPH_TIMEOUT: 'SUBGRAPH_TIMEOUT',
  /** A subgraph cannot be reached, answered that it cannot serve (502/503/504), or is failing so often that the gateway stopped asking it for a moment (circuit breaker open). Retry later. */
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that Apollo Server itself emits for malformed requests; they are safe to show. */
export const apolloRequestErrorCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * The HTTP status of an answer that holds nothing because of an error with this code: the
 * client's mistakes are 4xx, an outage is 503 (retry later). An answer with some data stays
 * 200, whatever its errors: what could be served, was. Every code must choose one.
 */
export const httpStatusOfCode: Readonly<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  OUT_OF_STOCK: 409,
  PRODUCT_UNAVAILABLE: 409,
  MIXED_CURRENCIES: 400,
  // As the IETF Idempotency-Key draft answers a key reused for another request, and one in use.
  IDEMPOTENCY_KEY_REUSED: 422,
  CHECKOUT_IN_PROGRESS: 409,
  INVALID_STATUS_TRANSITION: 409,
  SERVICE_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  MAX_DEPTH_LIMIT: 400,
  MAX_ALIASES_LIMIT: 400,
  MAX_ROOT_FIELDS_LIMIT: 400,
  MAX_DIRECTIVES_LIMIT: 400,
  MAX_TOKENS_LIMIT: 400,
  VARIABLES_TOO_LARGE: 400,
  COST_ESTIMATED_TOO_EXPENSIVE: 400,
  RESULT_TOO_LARGE: 400,
  NOT_IMPLEMENTED: 501,
  INTERNAL_SERVER_ERROR: 500,
  SUBGRAPH_TIMEOUT: 504,
  SUBGRAPH_UNAVAILABLE: 503,
};
