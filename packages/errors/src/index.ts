export { apolloRequestErrorCodes, ErrorCode } from './codes.js';
export { AppError, badUserInput, maskUnexpectedErrors, notFound } from './errors.js';
