export { apolloRequestErrorCodes, ErrorCode, httpStatusOfCode } from './codes.js';
export { AppError, badUserInput, maskUnexpectedErrors, notFound } from './errors.js';
