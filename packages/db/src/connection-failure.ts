import { isDriverAdapterError } from '@prisma/driver-adapter-utils';

/** How Prisma's driver adapters name a server that cannot be reached, or a connection that is gone. */
const CONNECTION_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TlsConnectionError',
  'TooManyConnections',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
]);

/**
 * What pg, pg-pool and PGlite throw, without a SQLSTATE, when there is no connection to run
 * a statement on. The adapters pass these through as they are.
 */
const NO_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|PGlite is closed)/;

/**
 * True when a statement failed because the database could not be reached or dropped the
 * connection (a server restarting, failing over, refusing connections), not because of
 * the statement itself. PostgreSQL reports the former with severity FATAL or PANIC, which
 * always end the session, or a SQLSTATE of class 08 (connection exception).
 */
export function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (isDriverAdapterError(error)) {
    const cause = error.cause;
    if (CONNECTION_KINDS.has(cause.kind)) return true;
    return cause.kind === 'postgres' && (cause.severity === 'FATAL' || cause.severity === 'PANIC' || cause.code.startsWith('08'));
  }
  return error instanceof Error && NO_CONNECTION.test(error.message);
}

/** Prisma's words when a transaction did not start within `maxWait` (its code, P2028, covers other transaction errors too). */
const START_TIMED_OUT = 'Unable to start a transaction in the given time';

/**
 * True when Prisma gave up waiting to start a transaction: every connection stayed busy
 * (PGlite runs one transaction at a time) for the whole of Database.transactionOptions.maxWait.
 * The database is overloaded, not the request wrong: retrying later may succeed.
 */
export function isTransactionStartTimeout(error: unknown): boolean {
  for (let cause = error; typeof cause === 'object' && cause !== null; cause = (cause as { originalError?: unknown }).originalError) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (code === 'P2028' && typeof message === 'string' && message.includes(START_TIMED_OUT)) return true;
  }
  return false;
}
