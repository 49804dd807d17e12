import { anonymousViewer, GATEWAY_TOKEN_HEADER, postRequest, signGatewayToken } from '@shop/auth';
import type {
  LookupResponse,
  ProductSnapshot,
  ReservationStateResponse,
  ReserveRequest,
  ReserveResponse,
} from '@shop/catalog/stock-api';
import { StockPaths } from '@shop/catalog/stock-api';
import type { KeyRing } from '@shop/config';
import { noteChange } from '@shop/db';

/** The catalog did not answer (down, timed out, or failed): the step may be retried. */
export class CatalogUnavailable extends Error {}

/** Long enough for a reservation queued behind others on a busy product. */
const CALL_TIMEOUT_MS = 10_000;

/**
 * Stock a call moved becomes a change of the current request (the mutation that placed or
 * cancelled the order), so the gateway purges it before that mutation answers.
 */
function reportingMoves<Response extends ReserveResponse | ReservationStateResponse>(response: Response): Response {
  if ('changes' in response) response.changes.forEach(noteChange);
  return response;
}

/** The catalog's stock API over HTTP, signed like the gateway's calls so the catalog accepts it. */
export function catalogClient(catalogGraphqlUrl: string, keys: KeyRing) {
  async function call<Response>(path: string, body: unknown): Promise<Response> {
    try {
      const url = new URL(path, catalogGraphqlUrl);
      const json = JSON.stringify(body);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [GATEWAY_TOKEN_HEADER]: await signGatewayToken(keys, { viewer: anonymousViewer, clientIp: null }, { audience: 'catalog', request: postRequest(url, json) }),
        },
        body: json,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      if (!response.ok) throw new CatalogUnavailable(`catalog answered ${response.status} on ${path}`);
      return (await response.json()) as Response;
    } catch (error) {
      if (error instanceof CatalogUnavailable) throw error;
      // Unreachable, timed out (before or while the body arrived), or not JSON: the step did not complete here.
      throw new CatalogUnavailable(`catalog call ${path} failed: ${(error as Error).message}`);
    }
  }
  return {
    reserve: async (request: ReserveRequest) => reportingMoves(await call<ReserveResponse>(StockPaths.reserve, request)),
    commit: async (reservationId: string) => reportingMoves(await call<ReservationStateResponse>(StockPaths.commit, { reservationId })),
    release: async (reservationId: string) => reportingMoves(await call<ReservationStateResponse>(StockPaths.release, { reservationId })),
    lookup: async (ids: readonly string[]): Promise<ProductSnapshot[]> =>
      (await call<LookupResponse>(StockPaths.lookup, { ids })).products,
  };
}

export type CatalogClient = ReturnType<typeof catalogClient>;
export type { ProductSnapshot, ReservedLine } from '@shop/catalog/stock-api';
