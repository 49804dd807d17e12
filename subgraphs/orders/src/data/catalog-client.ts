import { internalClient, InternalCallFailed } from '@shop/auth';
import type { KeyRing } from '@shop/config';
import { StockApi, type Change, type ProductSnapshot, type ReserveRequest } from '@shop/contracts';
import { noteChange } from '@shop/db';

/** The catalog did not answer (down, timed out, or failed): the step may be retried. */
export class CatalogUnavailable extends Error {}

/** Long enough for a reservation queued behind others on a busy product. */
const CALL_TIMEOUT_MS = 10_000;

/**
 * Stock a call moved becomes a change of the current request (the mutation that placed or
 * cancelled the order), so the gateway purges it before that mutation answers.
 */
function reportingMoves<Answer extends { changes: Change[] } | { refused: string }>(answer: Answer): Answer {
  if ('changes' in answer) answer.changes.forEach(noteChange);
  return answer;
}

/** The catalog's stock API (@shop/contracts), signed like the gateway's calls so the catalog accepts it. */
export function catalogClient(catalogGraphqlUrl: string, keys: KeyRing) {
  const call = internalClient({ baseUrl: catalogGraphqlUrl, audience: 'catalog', keys, timeoutMs: CALL_TIMEOUT_MS });
  const unavailableOnFailure = async <Answer>(answer: Promise<Answer>): Promise<Answer> => {
    try {
      return await answer;
    } catch (error) {
      if (error instanceof InternalCallFailed) throw new CatalogUnavailable(`catalog call failed: ${error.message}`, { cause: error });
      throw error;
    }
  };
  return {
    reserve: async (request: ReserveRequest) => reportingMoves(await unavailableOnFailure(call(StockApi.reserve, request))),
    commit: async (reservationId: string) => reportingMoves(await unavailableOnFailure(call(StockApi.commit, { reservationId }))),
    release: async (reservationId: string) => reportingMoves(await unavailableOnFailure(call(StockApi.release, { reservationId }))),
    lookup: async (ids: readonly string[]): Promise<ProductSnapshot[]> =>
      (await unavailableOnFailure(call(StockApi.lookup, { ids: [...ids] }))).products,
  };
}

export type CatalogClient = ReturnType<typeof catalogClient>;
export type { ProductSnapshot, ReservedLine } from '@shop/contracts';
