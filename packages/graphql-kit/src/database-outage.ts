import type { BaseContext } from '@apollo/server';
import { databaseWasUnavailable } from '@shop/db';
import { ErrorCode } from '@shop/errors';
import type { Logger } from '@shop/logging';
import type { RequestHooks } from './request-hooks.js';

/** A subgraph's answer to a request that found its database unreachable: retrying later may succeed. */
export const DATABASE_UNAVAILABLE = { status: 503, message: 'The database is unavailable; retry shortly', code: ErrorCode.SERVICE_UNAVAILABLE } as const;

/**
 * A request that found the database unreachable (see isConnectionFailure: a server down,
 * restarting or refusing connections, not a failing statement) answers HTTP 503 with one
 * SERVICE_UNAVAILABLE error instead of what it computed, which is partial. The gateway tells
 * its client what it tells of a subgraph that is down. Reported here once, as a warning.
 */
export function databaseOutageAnswer<Context extends BaseContext>(logger: Logger): RequestHooks<Context> {
  return {
    willSendResponse({ request, response }) {
      if (!databaseWasUnavailable() || response.body.kind !== 'single') return;
      logger.warn({ operationName: request.operationName }, 'request failed: the database is unavailable');
      response.http.status = DATABASE_UNAVAILABLE.status;
      response.body.singleResult = { errors: [{ message: DATABASE_UNAVAILABLE.message, extensions: { code: DATABASE_UNAVAILABLE.code } }] };
    },
  };
}
