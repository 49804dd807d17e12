import type { BaseContext } from '@apollo/server';
import { passedRowBound } from '@shop/db';
import { ErrorCode } from '@shop/errors';
import type { Logger } from '@shop/logging';
import type { RequestHooks } from './request-hooks.js';

/**
 * A request stopped at its row bound (see asRequest) answers with one error instead of what
 * it computed: that is partial, and its other errors only follow from the statements
 * refused after the stop. HTTP 400 says the request itself is at fault; the gateway passes
 * a 400's errors, with their codes, on to the client.
 */
export function rowBoundAnswer<Context extends BaseContext>(logger: Logger): RequestHooks<Context> {
  return {
    willSendResponse({ request, response }) {
      const maxRows = passedRowBound();
      if (maxRows === undefined || response.body.kind !== 'single') return;
      logger.warn({ operationName: request.operationName, maxRows }, 'request stopped: it loads more rows than one request may');
      response.http.status = 400;
      response.body.singleResult = {
        errors: [
          {
            message: `This request loads more than ${maxRows} records; ask for fewer (smaller limit, fewer nested lists)`,
            extensions: { code: ErrorCode.RESULT_TOO_LARGE },
          },
        ],
        // The cache report still tells the gateway what the request changed before it stopped.
        extensions: response.body.singleResult.extensions,
      };
    },
  };
}
