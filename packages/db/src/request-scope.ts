import type { Change } from '@shop/contracts';
import { requestSlot } from '@shop/logging';
import { isTransactionStartTimeout } from './connection-failure.js';

/** What one request may cost the database. */
export interface RequestBounds {
  /** Rows its statements may return in all; past them, each further statement of the request is refused. */
  maxRows: number;
}

export interface RequestWork {
  changes: Change[];
  /** Rows the request's statements have returned so far. */
  rows: number;
  /** Set when one of its statements found the database unreachable (see isConnectionFailure), or too busy to start its transaction. */
  databaseUnavailable: boolean;
  readonly bounds: RequestBounds;
}

// In the request's async context beside its log scope: one AsyncLocalStorage for both (docs/adr/0037).
const currentRequest = requestSlot<RequestWork>('database work');

/**
 * Runs one request's work in a scope of its own, so that what it does (the SQL it issues,
 * the rows it loads, the changes it makes) is accounted to it and bounded. Background
 * loops run outside any request, unbounded.
 */
export const asRequest = <T>(run: () => T, bounds: RequestBounds): T =>
  currentRequest.run({ changes: [], rows: 0, databaseUnavailable: false, bounds }, run);

export const requestWork = (): RequestWork | undefined => currentRequest.get();

/**
 * Runs work shared by several requests (sharedReads) in a scope of its own: its statements
 * are counted once, no request's row bound applies, and `outcome` learns whether it found
 * the database unreachable, for each request to be told.
 */
export async function runAsSharedWork<T>(outcome: { databaseUnavailable: boolean }, run: () => Promise<T>): Promise<T> {
  const work: RequestWork = { changes: [], rows: 0, databaseUnavailable: false, bounds: { maxRows: Number.POSITIVE_INFINITY } };
  try {
    return await currentRequest.run(work, run);
  } finally {
    outcome.databaseUnavailable = work.databaseUnavailable;
  }
}

export const isPastRowBound = (work: RequestWork): boolean => work.rows > work.bounds.maxRows;

/** The row bound the current request went past, if it did: then its answer must say so instead of what it loaded. */
export function passedRowBound(): number | undefined {
  const work = currentRequest.get();
  return work && isPastRowBound(work) ? work.bounds.maxRows : undefined;
}

/** True when the current request met an unreachable database: whatever it computed is partial, and retrying later may succeed. */
export const databaseWasUnavailable = (): boolean => currentRequest.get()?.databaseUnavailable ?? false;

/**
 * Called with an error a request's code let through: one saying the database was too busy to
 * start a transaction marks the request as having met an unavailable database, so it answers
 * 503 SERVICE_UNAVAILABLE like an outage (Prisma raises it above the driver adapter, where
 * statements note outages). True when it did.
 */
export function noteDatabaseBusy(error: unknown): boolean {
  const work = currentRequest.get();
  if (!work || !isTransactionStartTimeout(error)) return false;
  work.databaseUnavailable = true;
  return true;
}

/**
 * Records a change made by the current request, so the response can tell the gateway at
 * once (its cache purges before the client sees the mutation's answer). Noted before
 * commit: a rollback only means a needless purge.
 */
export function noteChange(change: Change): void {
  currentRequest.get()?.changes.push(change);
}

/** The changes the current request has made so far. */
export const changesOfThisRequest = (): readonly Change[] => currentRequest.get()?.changes ?? [];
