import type { Change } from '@shop/db';

/**
 * The catalog's service-to-service API for stock, used by the orders subgraph's placement
 * saga (docs/adr/0006). Every call is idempotent, keyed by the reservation id (the order's).
 */
export const StockPaths = {
  reserve: '/internal/stock/reserve',
  commit: '/internal/stock/commit',
  release: '/internal/stock/release',
  lookup: '/internal/products/lookup',
} as const;

export interface ReserveRequest {
  reservationId: string;
  lines: Array<{ productId: string; quantity: number }>;
}

export interface ReservedLine {
  productId: string;
  quantity: number;
  name: string;
  /** The price when reserved, a decimal string with two places. */
  unitPrice: string;
  currency: string;
}

export type ReservationStatus = 'RESERVED' | 'COMMITTED' | 'RELEASED';

export type ReservationRefusal = 'UNKNOWN_PRODUCT' | 'PRODUCT_UNAVAILABLE' | 'OUT_OF_STOCK' | 'MIXED_CURRENCIES';

/**
 * What an answer that may have moved stock names besides: the `stock.changed` events the call
 * wrote to catalog's outbox, the same changes the feed carries later. The caller reports them
 * with its own request's changes, so the gateway purges the stock before the mutation that
 * moved it answers (docs/adr/0012).
 */
export interface StockMoves {
  changes: Change[];
}

export type ReserveResponse =
  | ({ status: ReservationStatus; lines: ReservedLine[] } & StockMoves)
  | { refused: ReservationRefusal; productId: string | null };

export interface ReservationRequest {
  reservationId: string;
}

/** UNKNOWN: no such reservation (it was never made, or was refused). */
export interface ReservationStateResponse extends StockMoves {
  status: ReservationStatus | 'UNKNOWN';
}

export interface LookupRequest {
  ids: string[];
}

export interface ProductSnapshot {
  id: string;
  name: string;
  price: string;
  currency: string;
  stockQuantity: number;
  /** False when inactive or deleted: it cannot be ordered. */
  orderable: boolean;
}

export interface LookupResponse {
  products: ProductSnapshot[];
}
