export {
  ApolloErrorCode,
  apolloErrorRegistry,
  apolloRequestErrorCodes,
  ErrorCode,
  errorRegistry,
  httpStatusOfCode,
  type ErrorCodeEntry,
} from './codes.js';
export { AppError, badUserInput, maskUnexpectedErrors, notFound } from './errors.js';
