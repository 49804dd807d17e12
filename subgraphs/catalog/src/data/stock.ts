import type { ReservationRefusal, ReservedLine } from '@shop/contracts';
import type { Prisma, StockReservation } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';
import { stockChanged } from './events.js';
import { recordMovement, type StockActor } from './ledger.js';

type Tx = Prisma.TransactionClient;

/** Thrown inside the reservation transaction to roll every decrement back. */
export class ReservationRefused extends Error {
  constructor(
    readonly reason: ReservationRefusal,
    readonly productId: string | null,
  ) {
    super(reason);
  }
}

export const findReservation = (prisma: CatalogPrisma | Tx, id: string) => prisma.stockReservation.findUnique({ where: { id } });

async function refusalFor(tx: Tx, productId: string): Promise<ReservationRefused> {
  const product = await tx.product.findUnique({ where: { id: productId }, select: { isActive: true, deletedAt: true } });
  if (!product || product.deletedAt) return new ReservationRefused('UNKNOWN_PRODUCT', productId);
  if (!product.isActive) return new ReservationRefused('PRODUCT_UNAVAILABLE', productId);
  return new ReservationRefused('OUT_OF_STOCK', productId);
}

/**
 * Takes every line's units in one transaction, or none: each decrement is conditional on
 * the stock being there (the row lock makes concurrent orders queue, never oversell), and
 * products are locked in id order so two orders cannot deadlock.
 */
export function reserveStock(
  prisma: CatalogPrisma,
  id: string,
  lines: ReadonlyArray<{ productId: string; quantity: number }>,
  expiresAt: Date,
): Promise<StockReservation> {
  return prisma.$transaction(async (tx) => {
    const reserved: ReservedLine[] = [];
    for (const line of [...lines].sort((a, b) => a.productId.localeCompare(b.productId))) {
      const [row] = await tx.$queryRaw<Array<{ name: string; price: string; currency: string; stockQuantity: number }>>`
        UPDATE products SET stock_quantity = stock_quantity - ${line.quantity}, updated_at = now()
        WHERE id = ${line.productId}::uuid AND stock_quantity >= ${line.quantity} AND is_active AND deleted_at IS NULL
        RETURNING name, price::text AS price, currency, stock_quantity AS "stockQuantity"`;
      if (!row) throw await refusalFor(tx, line.productId);
      reserved.push({ productId: line.productId, quantity: line.quantity, name: row.name, unitPrice: row.price, currency: row.currency });
      await recordMovement(tx, {
        productId: line.productId,
        delta: -line.quantity,
        stockAfter: row.stockQuantity,
        reason: 'ORDER_RESERVATION',
        actor: { kind: 'ORDER', orderId: id },
        orderId: id,
      });
      await stockChanged(tx, line.productId, row.stockQuantity, row.stockQuantity + line.quantity);
    }
    if (new Set(reserved.map((line) => line.currency)).size > 1) throw new ReservationRefused('MIXED_CURRENCIES', null);
    return tx.stockReservation.create({ data: { id, status: 'RESERVED', lines: reserved as unknown as Prisma.InputJsonValue, expiresAt } });
  });
}

const linesOf = (reservation: StockReservation) =>
  (reservation.lines as unknown as ReservedLine[]).sort((a, b) => a.productId.localeCompare(b.productId));

/**
 * RESERVED → COMMITTED, once, and only while the reservation has not expired. The units left
 * the stock when they were reserved: the ledger records the sale with no change of stock,
 * read under the product's lock so that its `stockAfter` is the stock at that point.
 */
export const commitReservation = (prisma: CatalogPrisma, id: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    const committed = await tx.stockReservation.updateMany({ where: { id, status: 'RESERVED', expiresAt: { gt: now } }, data: { status: 'COMMITTED' } });
    if (committed.count === 0) return false;
    for (const line of linesOf(await tx.stockReservation.findUniqueOrThrow({ where: { id } }))) {
      const [row] = await tx.$queryRaw<Array<{ stockQuantity: number }>>`
        SELECT stock_quantity AS "stockQuantity" FROM products WHERE id = ${line.productId}::uuid FOR UPDATE`;
      if (row) {
        await recordMovement(tx, { productId: line.productId, delta: 0, stockAfter: row.stockQuantity, reason: 'SALE', actor: { kind: 'ORDER', orderId: id }, orderId: id });
      }
    }
    return true;
  });

/** Gives the units back exactly once: only the transaction that moves the reservation to RELEASED restocks. */
export function releaseReservation(
  prisma: CatalogPrisma,
  id: string,
  from: ReadonlyArray<'RESERVED' | 'COMMITTED'>,
  actor: StockActor,
  now?: Date,
) {
  return prisma.$transaction(async (tx) => {
    const released = await tx.stockReservation.updateMany({
      where: { id, status: { in: [...from] }, ...(now ? { expiresAt: { lte: now } } : {}) },
      data: { status: 'RELEASED' },
    });
    if (released.count === 0) return false;
    for (const line of linesOf(await tx.stockReservation.findUniqueOrThrow({ where: { id } }))) {
      const [row] = await tx.$queryRaw<Array<{ stockQuantity: number }>>`
        UPDATE products SET stock_quantity = stock_quantity + ${line.quantity}, updated_at = now()
        WHERE id = ${line.productId}::uuid RETURNING stock_quantity AS "stockQuantity"`;
      if (!row) continue;
      await recordMovement(tx, { productId: line.productId, delta: line.quantity, stockAfter: row.stockQuantity, reason: 'RELEASE', actor, orderId: id });
      await stockChanged(tx, line.productId, row.stockQuantity, row.stockQuantity - line.quantity);
    }
    return true;
  });
}

export const findExpiredReservationIds = async (prisma: CatalogPrisma, now: Date, limit: number) =>
  (await prisma.stockReservation.findMany({ where: { status: 'RESERVED', expiresAt: { lte: now } }, select: { id: true }, take: limit })).map(
    (reservation) => reservation.id,
  );
