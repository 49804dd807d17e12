import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { apolloRequestErrorCodes, ErrorCode } from './codes.js';

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'AppError';
  }
}

export const badUserInput = (message: string, field?: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);

const publicCodes = new Set<string>([...Object.values(ErrorCode), ...apolloRequestErrorCodes]);

/**
 * Apollo Server `formatError`: errors with a public code pass through (without stack
 * traces); anything else is reported to `onUnexpected` and reaches the client as a bare
 * INTERNAL_SERVER_ERROR, so no driver message, SQL or file path ever leaks.
 */
export function maskUnexpectedErrors(onUnexpected: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && publicCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    onUnexpected(error);
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
