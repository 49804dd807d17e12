/** What a code means to a client: the HTTP status of an answer it empties, and what to do. */
export interface ErrorCodeEntry {
  /**
   * The HTTP status of an answer that holds nothing because of an error with this code: the
   * client's mistakes are 4xx, an outage 5xx (retry later). An answer with some data stays
   * 200, whatever its errors: what could be served, was.
   */
  readonly status: number;
  /** What happened and what the client should do; `docs/errors.md` is generated from it. */
  readonly description: string;
}

/**
 * Every error code a client can see in `extensions.code`, with its status and meaning.
 * Codes are part of the public contract: add freely (at the end), never rename. After a
 * change, run `npm run docs:errors`.
 */
export const errorRegistry = {
  BAD_USER_INPUT: {
    status: 400,
    description:
      'An argument or input field fails validation (a malformed id, a negative price, page below 1, text holding U+0000...). `extensions.field` names it (`input.price`, `filter.search`). Correct the input; retrying it unchanged fails again.',
  },
  UNAUTHENTICATED: {
    status: 401,
    description: 'No credentials, or a token or API key that is invalid, expired or revoked. Sign in again (or refresh the session) and send `Authorization: Bearer <accessToken>`.',
  },
  FORBIDDEN: {
    status: 403,
    description: 'A known caller that may not do this (a shopper asking for admin data, a key without the scope). Do not retry; ask for the access instead.',
  },
  NOT_FOUND: {
    status: 404,
    description: 'The record does not exist, or the caller may not know that it does. Check the id.',
  },
  CONFLICT: {
    status: 409,
    description: 'A write that conflicts with existing data: a taken email or username, a category name already used under that parent. Choose another value.',
  },
  OUT_OF_STOCK: {
    status: 409,
    description: 'An order line asks for more units than are in stock; `extensions.productId` names the product. Order fewer units, or later.',
  },
  PRODUCT_UNAVAILABLE: {
    status: 409,
    description: 'The product exists but cannot be ordered (inactive or deleted); `extensions.productId` names it. Remove it from the order or cart.',
  },
  MIXED_CURRENCIES: {
    status: 400,
    description: 'One order cannot mix currencies. Place one order per currency.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    // As the IETF Idempotency-Key draft answers a key reused for another request.
    status: 422,
    description: 'The idempotency key was already used for a different request. Use a new key for a new order; resend the same request to get the order the key made.',
  },
  CHECKOUT_IN_PROGRESS: {
    status: 409,
    description:
      'Another checkout of the same cart, under another idempotency key, is placing its order: one cart makes one order. Wait, then read the orders; retry with the first key, not a new one.',
  },
  INVALID_STATUS_TRANSITION: {
    status: 409,
    description:
      'The order cannot move to that status (`extensions.from`, `extensions.to`): PENDING → PAID → SHIPPED → DELIVERED, PENDING or PAID → CANCELLED; shoppers cancel while PENDING. Read the order again.',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    description: 'A database or service the operation needs did not answer. Retry later; retrying a mutation with the same idempotency key is safe.',
  },
  RATE_LIMITED: {
    status: 429,
    description:
      'Too many attempts (sign-ins, registrations), or the caller\'s cost budget is spent. Wait `Retry-After` seconds (also `extensions.retryAfterSeconds`) before the next request.',
  },
  MAX_DEPTH_LIMIT: {
    status: 400,
    description: 'The operation nests fields deeper than the limit. Ask for less at once: split it, or flatten it.',
  },
  MAX_ALIASES_LIMIT: {
    status: 400,
    description: 'The operation uses more aliases than the limit. Split it into several operations.',
  },
  MAX_ROOT_FIELDS_LIMIT: {
    status: 400,
    description: 'The operation selects more root fields than the limit. Split it into several operations.',
  },
  MAX_DIRECTIVES_LIMIT: {
    status: 400,
    description: 'The operation uses more directives than the limit. Simplify it.',
  },
  MAX_TOKENS_LIMIT: {
    status: 400,
    description: 'The document has more tokens than the limit (it is not parsed further). Send a smaller document.',
  },
  VARIABLES_TOO_LARGE: {
    status: 400,
    description: 'The request\'s variables are larger than the limit. Send less data per request.',
  },
  COST_ESTIMATED_TOO_EXPENSIVE: {
    status: 400,
    description:
      'The operation\'s estimated cost (from `@cost` and `@listSize` in the schema, and its variables) is above the maximum. Ask for smaller pages or fewer nested lists.',
  },
  RESULT_TOO_LARGE: {
    status: 400,
    description: 'A subgraph stopped a request that loaded more records than one request may (a write rolls back). Ask for smaller pages or fewer nested lists.',
  },
  NOT_IMPLEMENTED: {
    status: 501,
    description: 'The operation is part of the contract but not served yet. Do not retry.',
  },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    description: 'Anything unexpected; the message never carries internals, and the service logged the cause. Retrying may help; report it if it persists.',
  },
  SUBGRAPH_TIMEOUT: {
    status: 504,
    description: 'A subgraph did not answer within its deadline: the fields it serves are null, the others answered. Retry later (a mutation with the same idempotency key).',
  },
  SUBGRAPH_UNAVAILABLE: {
    status: 503,
    description:
      'A subgraph cannot be reached, answered that it cannot serve (502/503/504), or fails so often that the gateway stopped asking it for a moment (circuit breaker open). Its fields are null, the others answered. Retry later.',
  },
  WRONG_CURRENT_PASSWORD: {
    status: 403,
    description:
      'A change that needs the account\'s current password (changePassword, deleteAccount) was given another one; nothing changed. Ask the person for it again: repeated failures count as failed sign-ins and end in RATE_LIMITED.',
  },
  STOCK_BELOW_ZERO: {
    status: 409,
    description:
      'A stock adjustment would take the product\'s stock below zero; nothing was changed. `extensions.stockQuantity` is the stock it met. Read the stock again and adjust by a delta it can take.',
  },
  INVALID_RESET_TOKEN: {
    status: 400,
    description:
      'A password reset token (resetPassword) that is unknown, expired, already used, or superseded by a newer request or a password change; nothing changed. Ask for a new one with requestPasswordReset.',
  },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof errorRegistry;

/** The codes by name, for `ErrorCode.NOT_FOUND` in code. */
export const ErrorCode = Object.fromEntries(Object.keys(errorRegistry).map((code) => [code, code])) as { readonly [Code in ErrorCode]: Code };

export const httpStatusOfCode = Object.fromEntries(
  Object.entries(errorRegistry).map(([code, entry]) => [code, entry.status]),
) as Readonly<Record<ErrorCode, number>>;

/**
 * Codes Apollo Server itself emits for malformed requests (ApolloServerErrorCode), with the
 * status it answers them with; they are safe to show. Our HTTP front refuses requests it
 * cannot take with BAD_REQUEST too.
 */
export const apolloErrorRegistry = {
  GRAPHQL_PARSE_FAILED: { status: 400, description: 'The document is not valid GraphQL syntax. Fix the document.' },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    description: 'The document does not validate against the schema (an unknown field, a wrong argument type, a subscription: the API has none). Fix the document.',
  },
  BAD_REQUEST: {
    status: 400,
    description:
      'The HTTP request itself is wrong: a body that is not JSON, a GET or a non-JSON POST without `apollo-require-preflight: true` (CSRF), a persisted query whose hash does not match its text; 413 for a body over the limit. Fix the request.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    status: 200,
    description: 'An automatic persisted query this gateway has not seen (or has forgotten). Send the request again with the query text.',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 200, description: 'Persisted queries are not accepted here. Send the query text.' },
  OPERATION_RESOLUTION_FAILURE: {
    status: 400,
    description: 'The document holds several operations and no `operationName`, or none of that name. Name the operation to run.',
  },
  INVALID_RESET_TOKEN: {
    status: 400,
    description:
      'A password reset token (resetPassword) that is unknown, expired, already used, or superseded by a newer request or a password change; nothing changed. Ask for a new one with requestPasswordReset.',
  },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ApolloErrorCode = keyof typeof apolloErrorRegistry;

export const ApolloErrorCode = Object.fromEntries(Object.keys(apolloErrorRegistry).map((code) => [code, code])) as {
  readonly [Code in ApolloErrorCode]: Code;
};

export const apolloRequestErrorCodes: ReadonlySet<string> = new Set(Object.keys(apolloErrorRegistry));
