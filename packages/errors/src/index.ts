export { apolloRequestErrorCodes, ErrorCode } from './codes.js';
export { AppError, badUserInput, maskUnexpectedErrors, notFound, notImplemented } from './errors.js';
