import type { AnswerToSend, ParsedRequestOf, ReservedLine, StockApi } from '@shop/contracts';
import { changesOfThisRequest, startSerialJob, type SerialJob, type SharedRead } from '@shop/db';
import { formatMoney } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import type { Product, StockReservation } from '../generated/prisma/client.js';
import type { CatalogPrisma } from '../data/client.js';
import {
  commitReservation,
  findExpiredReservationIds,
  findReservation,
  releaseReservation,
  ReservationRefused,
  reserveStock,
} from '../data/stock.js';

/** How long reserved stock waits for its order to confirm before it goes back on sale. */
export const RESERVATION_TTL_MS = 60_000;

type ReserveAnswer = AnswerToSend<typeof StockApi.reserve>;
type ReservationStateAnswer = AnswerToSend<typeof StockApi.commit>;

/** The stock this call moved (none when it found the work done), for the caller to report. */
const movesOfThisCall = () => ({ changes: [...changesOfThisRequest()] });

const asAnswer = (reservation: StockReservation): ReserveAnswer => ({
  status: reservation.status,
  lines: reservation.lines as unknown as ReservedLine[],
  ...movesOfThisCall(),
});

/**
 * The catalog side of the placement saga; each operation may be repeated safely. Lookups read
 * through `products`, the reads by id the process's requests share (docs/adr/0043).
 */
export function stockService(prisma: CatalogPrisma, products: SharedRead<Product>, reservationTtlMs = RESERVATION_TTL_MS) {
  return {
    async reserve({ reservationId: id, lines }: ParsedRequestOf<typeof StockApi.reserve>): Promise<ReserveAnswer> {
      const existing = await findReservation(prisma, id);
      if (existing) return asAnswer(existing);
      try {
        return asAnswer(await reserveStock(prisma, id, lines, new Date(Date.now() + reservationTtlMs)));
      } catch (error) {
        if (error instanceof ReservationRefused) return { refused: error.reason, productId: error.productId };
        // Two calls for one reservation at once: the loser's insert hits the primary key.
        const raced = await findReservation(prisma, id);
        if (raced) return asAnswer(raced);
        throw error;
      }
    },

    async commit({ reservationId: id }: ParsedRequestOf<typeof StockApi.commit>): Promise<ReservationStateAnswer> {
      await commitReservation(prisma, id, new Date());
      return { status: (await findReservation(prisma, id))?.status ?? 'UNKNOWN', ...movesOfThisCall() };
    },

    /** For a cancelled order, or one that failed after its stock was reserved. */
    async release({ reservationId: id }: ParsedRequestOf<typeof StockApi.release>): Promise<ReservationStateAnswer> {
      await releaseReservation(prisma, id, ['RESERVED', 'COMMITTED'], { kind: 'ORDER', orderId: id });
      return { status: (await findReservation(prisma, id))?.status ?? 'UNKNOWN', ...movesOfThisCall() };
    },

    async lookup({ ids }: ParsedRequestOf<typeof StockApi.lookup>): Promise<AnswerToSend<typeof StockApi.lookup>> {
      const found = (await products(ids)).filter((product) => product !== null);
      return {
        products: found.map((product) => ({
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
        if (await releaseReservation(prisma, id, ['RESERVED'], { kind: 'SYSTEM' }, now)) logger.info({ reservationId: id }, 'expired stock reservation released');
      }
    },
  });
}
