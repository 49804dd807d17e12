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

/** What an async context carries: one value per slot. */
type SlotValues = Readonly<Record<symbol, unknown>>;

/**
 * The process's one AsyncLocalStorage: each one enabled has every promise created carry its
 * store (a property set per promise, per storage), so the packages that keep something per
 * request share this one, each in a slot of its own (docs/adr/0037).
 */
const slots = new AsyncLocalStorage<SlotValues>();

/** A value kept for the current request, wherever its handling goes (promises, timers, callbacks). */
export interface RequestSlot<T> {
  /** The value the current async context holds; undefined outside a run of this slot. */
  get(): T | undefined;
  /** Runs `work` with the slot holding `value`; the other slots keep theirs. */
  run<R>(value: T, work: () => R): R;
}

/** A slot of its own in the request's async context, for a package that keeps something per request (`name` shows in a debugger). */
export function requestSlot<T>(name: string): RequestSlot<T> {
  const key = Symbol(name);
  return {
    get: () => slots.getStore()?.[key] as T | undefined,
    run: (value, work) => slots.run({ ...slots.getStore(), [key]: value }, work),
  };
}

const currentRequest = requestSlot<RequestScope>('request scope');

/**
 * Runs `serve` as the handling of one request: every line logged meanwhile, however deep
 * (a resolver, a service, a fetch it makes), carries the request's id.
 */
export const inRequestScope = <T>(scope: RequestScope, serve: () => T): T => currentRequest.run(scope, serve);

/** The request being served, from anywhere in its handling; undefined outside one (startup, background jobs). */
export const currentRequestScope = (): RequestScope | undefined => currentRequest.get();

/**
 * The header that hands the current request's id to a service called while serving it (none
 * outside a request). Work shared by concurrent requests runs in its first caller's request,
 * and carries that caller's id.
 */
export function requestIdHeader(): Record<string, string> {
  const request = currentRequest.get();
  return request ? { [REQUEST_ID_HEADER]: request.requestId } : {};
}

/** `destination`: where lines go, stdout unless given (a test reads them from a stream). */
export function createLogger(service: string, level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin: () => {
      const request = currentRequest.get();
      return request ? { requestId: request.requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
