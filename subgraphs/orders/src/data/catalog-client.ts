import { anonymousViewer, GATEWAY_TOKEN_HEADER, signGatewayToken } from '@shop/auth';
import type {
  LookupResponse,
  ProductSnapshot,
  ReservationStateResponse,
  ReserveRequest,
  ReserveResponse,
} from '@shop/catalog/stock-api';
import { StockPaths } from '@shop/catalog/stock-api';
import type { KeyRing } from '@shop/config';

/** The catalog did not answer (down, timed out, or failed): the step may be retried. */
export class CatalogUnavailable extends Error {}

/** Long enough for a reservation queued behind others on a busy product. */
const CALL_TIMEOUT_MS = 10_000;

/** The catalog's stock API over HTTP, signed like the gateway's calls so the catalog accepts it. */
export function catalogClient(catalogGraphqlUrl: string, keys: KeyRing) {
  async function call<Response>(path: string, body: unknown): Promise<Response> {
    try {
      const response = await fetch(new URL(path, catalogGraphqlUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [GATEWAY_TOKEN_HEADER]: await signGatewayToken(keys, { viewer: anonymousViewer, clientIp: null }),
        },
        body: JSON.stringify(body),
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
    reserve: (request: ReserveRequest) => call<ReserveResponse>(StockPaths.reserve, request),
    commit: (reservationId: string) => call<ReservationStateResponse>(StockPaths.commit, { reservationId }),
    release: (reservationId: string) => call<ReservationStateResponse>(StockPaths.release, { reservationId }),
    lookup: async (ids: readonly string[]): Promise<ProductSnapshot[]> =>
      (await call<LookupResponse>(StockPaths.lookup, { ids })).products,
  };
}

export type CatalogClient = ReturnType<typeof catalogClient>;
export type { ProductSnapshot, ReservedLine } from '@shop/catalog/stock-api';
