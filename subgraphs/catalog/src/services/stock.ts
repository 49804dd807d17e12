import { changesOfThisRequest, startSerialJob, type SerialJob } from '@shop/db';
import { BadServiceRequest, formatMoney, isId } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import type { StockReservation } from '../generated/prisma/client.js';
import type { CatalogPrisma } from '../data/client.js';
import {
  commitReservation,
  findExpiredReservationIds,
  findProductSnapshots,
  findReservation,
  releaseReservation,
  ReservationRefused,
  reserveStock,
} from '../data/stock.js';
import type {
  LookupResponse,
  ReservationStateResponse,
  ReservedLine,
  ReserveResponse,
} from '../stock-api.js';

/** How long reserved stock waits for its order to confirm before it goes back on sale. */
export const RESERVATION_TTL_MS = 60_000;
const MAX_LINES = 100;

function reservationIdOf(body: unknown): string {
  const id = (body as { reservationId?: unknown } | null)?.reservationId;
  if (typeof id !== 'string' || !isId(id)) throw new BadServiceRequest('reservationId must be a UUID');
  return id.toLowerCase();
}

function linesOf(body: unknown) {
  const lines = (body as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > MAX_LINES) throw new BadServiceRequest(`1 to ${MAX_LINES} lines`);
  const parsed = lines.map((line: { productId?: unknown; quantity?: unknown }) => {
    if (typeof line?.productId !== 'string' || !isId(line.productId)) throw new BadServiceRequest('productId must be a UUID');
    if (!Number.isInteger(line.quantity) || (line.quantity as number) < 1) throw new BadServiceRequest('quantity must be a positive integer');
    return { productId: line.productId.toLowerCase(), quantity: line.quantity as number };
  });
  if (new Set(parsed.map((line) => line.productId)).size !== parsed.length) throw new BadServiceRequest('one line per product');
  return parsed;
}

/** The stock this call moved (none when it found the work done), for the caller to report. */
const movesOfThisCall = () => ({ changes: [...changesOfThisRequest()] });

const asResponse = (reservation: StockReservation): ReserveResponse => ({
  status: reservation.status,
  lines: reservation.lines as unknown as ReservedLine[],
  ...movesOfThisCall(),
});

/** The catalog side of the placement saga; each operation may be repeated safely. */
export function stockService(prisma: CatalogPrisma, reservationTtlMs = RESERVATION_TTL_MS) {
  return {
    async reserve(body: unknown): Promise<ReserveResponse> {
      const id = reservationIdOf(body);
      const lines = linesOf(body);
      const existing = await findReservation(prisma, id);
      if (existing) return asResponse(existing);
      try {
        return asResponse(await reserveStock(prisma, id, lines, new Date(Date.now() + reservationTtlMs)));
      } catch (error) {
        if (error instanceof ReservationRefused) return { refused: error.reason, productId: error.productId };
        // Two calls for one reservation at once: the loser's insert hits the primary key.
        const raced = await findReservation(prisma, id);
        if (raced) return asResponse(raced);
        throw error;
      }
    },

    async commit(body: unknown): Promise<ReservationStateResponse> {
      const id = reservationIdOf(body);
      await commitReservation(prisma, id, new Date());
      return { status: (await findReservation(prisma, id))?.status ?? 'UNKNOWN', ...movesOfThisCall() };
    },

    /** For a cancelled order, or one that failed after its stock was reserved. */
    async release(body: unknown): Promise<ReservationStateResponse> {
      const id = reservationIdOf(body);
      await releaseReservation(prisma, id, ['RESERVED', 'COMMITTED']);
      return { status: (await findReservation(prisma, id))?.status ?? 'UNKNOWN', ...movesOfThisCall() };
    },

    async lookup(body: unknown): Promise<LookupResponse> {
      const ids = (body as { ids?: unknown } | null)?.ids;
      if (!Array.isArray(ids) || ids.length > 1000 || !ids.every((id) => typeof id === 'string' && isId(id))) {
        throw new BadServiceRequest('ids must be up to 1000 UUIDs');
      }
      const products = await findProductSnapshots(prisma, ids.map((id: string) => id.toLowerCase()));
      return {
        products: products.map((product) => ({
          id: product.id,
          name: product.name,
          price: formatMoney(product.price),
          currency: product.currency,
          stockQuantity: product.stockQuantity,
          orderable: product.isActive && !product.deletedAt,
        })),
      };
    },
  };
}

/** Puts stock of reservations whose order never confirmed back on sale. */
export function startReservationSweeper(prisma: CatalogPrisma, logger: Logger, intervalMs = 1_000): SerialJob {
  return startSerialJob({
    name: 'reservation sweep',
    intervalMs,
    logger,
    run: async () => {
      const now = new Date();
      for (const id of await findExpiredReservationIds(prisma, now, 100)) {
        if (await releaseReservation(prisma, id, ['RESERVED'], now)) logger.info({ reservationId: id }, 'expired stock reservation released');
      }
    },
  });
}
