import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger, type LevelWithSilent, type LoggerOptions } from 'pino';

export type { Logger };

/** Who made a request, as an access line may say it: never who exactly, never a credential. */
export type ViewerKind = 'anonymous' | 'user' | 'admin' | 'api-key';

/**
 * What the GraphQL layer learns about a request while serving it, for its access line: the
 * HTTP front measures the rest (status, duration, bytes). Each field is set when known.
 */
export interface AccessRecord {
  operationName?: string;
  operationType?: string;
  viewer?: ViewerKind;
  /** The gateway's estimate, when demand control computed one. */
  cost?: number;
  /** Codes of the answer's errors that the error registry knows. */
  errorCodes?: string[];
  /** The trace that recorded the request, when one did. */
  traceId?: string;
}

/** Carries a request's id: taken from the caller when well-formed, always answered, passed on by every call made while serving it. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The request a service is serving. */
export interface RequestScope {
  readonly requestId: string;
  readonly access: AccessRecord;
}

const currentRequest = new AsyncLocalStorage<RequestScope>();

/**
 * Runs `serve` as the handling of one request: every line logged meanwhile, however deep
 * (a resolver, a service, a fetch it makes), carries the request's id.
 */
export const inRequestScope = <T>(scope: RequestScope, serve: () => T): T => currentRequest.run(scope, serve);

/** The request being served, from anywhere in its handling; undefined outside one (startup, background jobs). */
export const currentRequestScope = (): RequestScope | undefined => currentRequest.getStore();

/**
 * The header that hands the current request's id to a service called while serving it (none
 * outside a request). Work shared by concurrent requests runs in its first caller's request,
 * and carries that caller's id.
 */
export function requestIdHeader(): Record<string, string> {
  const request = currentRequest.getStore();
  return request ? { [REQUEST_ID_HEADER]: request.requestId } : {};
}

/** `destination`: where lines go, stdout unless given (a test reads them from a stream). */
export function createLogger(service: string, level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin: () => {
      const request = currentRequest.getStore();
      return request ? { requestId: request.requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
