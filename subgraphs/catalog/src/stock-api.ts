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

export type ReserveResponse =
  | { status: ReservationStatus; lines: ReservedLine[] }
  | { refused: ReservationRefusal; productId: string | null };

export interface ReservationRequest {
  reservationId: string;
}

/** UNKNOWN: no such reservation (it was never made, or was refused). */
export interface ReservationStateResponse {
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
