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
  /** Too many attempts; try again later. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The operation is part of the contract but not served yet. */
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  /** Anything unexpected: the message never carries internals. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
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
