import { z } from 'zod';
import { internalEndpoint } from './endpoint.js';
import { changeSchema } from './events.js';
import { decimalSchema, idSchema } from './values.js';

/**
 * The catalog's service-to-service API for stock, used by the orders subgraph's placement
 * saga (docs/adr/0006). Every call is idempotent, keyed by the reservation id (the order's).
 */

const MAX_LINES = 100;
/** Product ids of one lookup at most. */
export const MAX_LOOKUP_IDS = 1000;

const reserveRequestSchema = z.object({
  reservationId: idSchema,
  lines: z
    .array(z.object({ productId: idSchema, quantity: z.number().int().min(1) }))
    .min(1)
    .max(MAX_LINES)
    .refine((lines) => new Set(lines.map((line) => line.productId)).size === lines.length, 'one line per product'),
});

const reservedLineSchema = z.object({
  productId: idSchema,
  quantity: z.number().int().min(1),
  name: z.string(),
  /** The price when reserved, with its stored scale. */
  unitPrice: decimalSchema,
  currency: z.string(),
});

const reservationStatusSchema = z.enum(['RESERVED', 'COMMITTED', 'RELEASED']);
const reservationRefusalSchema = z.enum(['UNKNOWN_PRODUCT', 'PRODUCT_UNAVAILABLE', 'OUT_OF_STOCK', 'MIXED_CURRENCIES']);

/**
 * What an answer that may have moved stock names besides: the `stock.changed` events the call
 * wrote to catalog's outbox, the same changes the feed carries later. The caller reports them
 * with its own request's changes, so the gateway purges the stock before the mutation that
 * moved it answers (docs/adr/0012).
 */
const stockMoves = { changes: z.array(changeSchema) };

const reservationRequestSchema = z.object({ reservationId: idSchema });

/** UNKNOWN: no such reservation (it was never made, or was refused). */
const reservationStateSchema = z.object({ status: z.union([reservationStatusSchema, z.literal('UNKNOWN')]), ...stockMoves });

const productSnapshotSchema = z.object({
  id: idSchema,
  name: z.string(),
  price: decimalSchema,
  currency: z.string(),
  stockQuantity: z.number().int(),
  /** False when inactive or deleted: it cannot be ordered. */
  orderable: z.boolean(),
});

export const StockApi = {
  /** Takes every line's units, or none; a repeated call answers what the first did. */
  reserve: internalEndpoint({
    path: '/internal/stock/reserve',
    request: reserveRequestSchema,
    answer: z.union([
      z.object({ status: reservationStatusSchema, lines: z.array(reservedLineSchema), ...stockMoves }),
      z.object({ refused: reservationRefusalSchema, productId: idSchema.nullable() }),
    ]),
  }),
  commit: internalEndpoint({ path: '/internal/stock/commit', request: reservationRequestSchema, answer: reservationStateSchema }),
  /** For a cancelled order, or one that failed after its stock was reserved. */
  release: internalEndpoint({ path: '/internal/stock/release', request: reservationRequestSchema, answer: reservationStateSchema }),
  lookup: internalEndpoint({
    path: '/internal/products/lookup',
    request: z.object({ ids: z.array(idSchema).max(MAX_LOOKUP_IDS) }),
    answer: z.object({ products: z.array(productSnapshotSchema) }),
  }),
};

export type ReserveRequest = z.input<typeof reserveRequestSchema>;
export type ReservedLine = z.output<typeof reservedLineSchema>;
export type ReservationStatus = z.output<typeof reservationStatusSchema>;
export type ReservationRefusal = z.output<typeof reservationRefusalSchema>;
export type ProductSnapshot = z.output<typeof productSnapshotSchema>;
