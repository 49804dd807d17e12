import { AsyncLocalStorage } from 'node:async_hooks';

/** A change a request made that others (caches, notifications) should learn about. */
export interface Change {
  topic: string;
  payload: Record<string, unknown>;
}

interface RequestWork {
  changes: Change[];
}

const currentRequest = new AsyncLocalStorage<RequestWork>();

/**
 * Runs one request's work in a scope of its own, so that what it does (the SQL it issues,
 * the changes it makes) is accounted to it. Background loops run outside any request.
 */
export const asRequest = <T>(run: () => T): T => currentRequest.run({ changes: [] }, run);

export const requestWork = (): RequestWork | undefined => currentRequest.getStore();

/**
 * Records a change made by the current request, so the response can tell the gateway at
 * once (its cache purges before the client sees the mutation's answer). Noted before
 * commit: a rollback only means a needless purge.
 */
export function noteChange(change: Change): void {
  currentRequest.getStore()?.changes.push(change);
}

/** The changes the current request has made so far. */
export const changesOfThisRequest = (): readonly Change[] => currentRequest.getStore()?.changes ?? [];
