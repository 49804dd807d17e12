import type { PageWindow } from '@shop/graphql-kit';
import type { Prisma, StockActorKind, StockMovementReason } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';
import { stockChanged } from './events.js';

type Tx = Prisma.TransactionClient;

/** Who moved stock: an admin (their user id), an order's saga step (the order id), or the system. */
export type StockActor = { kind: 'USER'; userId: string } | { kind: 'ORDER'; orderId: string } | { kind: 'SYSTEM' };

export interface Movement {
  productId: string;
  delta: number;
  /** The stock the change left, read back from the row it changed while that row is locked. */
  stockAfter: number;
  reason: StockMovementReason;
  actor: StockActor;
  orderId?: string | null;
  note?: string | null;
}

const actorColumns = (actor: StockActor): { actorKind: StockActorKind; actorId: string | null } => {
  switch (actor.kind) {
    case 'USER':
      return { actorKind: 'USER', actorId: actor.userId };
    case 'ORDER':
      return { actorKind: 'ORDER', actorId: actor.orderId };
    case 'SYSTEM':
      return { actorKind: 'SYSTEM', actorId: null };
  }
};

/**
 * Writes one movement, in the transaction that changed the stock: the caller holds the product
 * row's lock (it has just updated it), so the product's movements are numbered in commit order.
 */
export const recordMovement = (tx: Tx, movement: Movement) =>
  tx.stockMovement.create({
    data: {
      productId: movement.productId,
      delta: movement.delta,
      stockAfter: movement.stockAfter,
      reason: movement.reason,
      ...actorColumns(movement.actor),
      orderId: movement.orderId ?? null,
      note: movement.note ?? null,
    },
  });

/** Thrown inside an adjustment's transaction: nothing it would have written is kept. */
export class AdjustmentRefused extends Error {
  constructor(readonly reason: 'UNKNOWN_PRODUCT' | 'BELOW_ZERO', readonly stockQuantity: number | null) {
    super(reason);
  }
}

/**
 * Adds `delta` to a product's stock, with its movement and event, in one transaction. The
 * conditional update takes the row lock, so concurrent adjustments and orders queue, and one
 * that would take the stock below zero changes nothing.
 */
export const adjustStock = (prisma: CatalogPrisma, change: Omit<Movement, 'stockAfter'>) =>
  prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<Array<{ stockQuantity: number }>>`
      UPDATE products SET stock_quantity = stock_quantity + ${change.delta}, updated_at = now()
      WHERE id = ${change.productId}::uuid AND deleted_at IS NULL AND stock_quantity + ${change.delta} >= 0
      RETURNING stock_quantity AS "stockQuantity"`;
    if (!row) {
      const product = await tx.product.findUnique({ where: { id: change.productId }, select: { stockQuantity: true, deletedAt: true } });
      if (!product || product.deletedAt) throw new AdjustmentRefused('UNKNOWN_PRODUCT', null);
      throw new AdjustmentRefused('BELOW_ZERO', product.stockQuantity);
    }
    const movement = await recordMovement(tx, { ...change, stockAfter: row.stockQuantity });
    await stockChanged(tx, change.productId, row.stockQuantity, row.stockQuantity - change.delta);
    return { product: await tx.product.findUniqueOrThrow({ where: { id: change.productId } }), movement };
  });

/** A product's movements, newest first. */
export async function findMovementPage(prisma: CatalogPrisma, productId: string, window: PageWindow) {
  const where = { productId };
  const [items, totalItems] = await Promise.all([
    prisma.stockMovement.findMany({ where, orderBy: { id: 'desc' }, ...window }),
    prisma.stockMovement.count({ where }),
  ]);
  return { items, totalItems };
}

/** Products on sale (active, not deleted) with fewer units than `below`, the scarcest first. */
export async function findLowStockPage(prisma: CatalogPrisma, below: number, window: PageWindow) {
  const where: Prisma.ProductWhereInput = { deletedAt: null, isActive: true, stockQuantity: { lt: below } };
  const [items, totalItems] = await Promise.all([
    prisma.product.findMany({ where, orderBy: [{ stockQuantity: 'asc' }, { id: 'asc' }], ...window }),
    prisma.product.count({ where }),
  ]);
  return { items, totalItems };
}

/**
 * Opens the ledger of every product with stock and no movement yet: the migration that started
 * the ledger did this for the products of that day, seeding does it for the products it adds.
 */
export const recordOpeningBalances = (tx: Tx) =>
  tx.$executeRaw`
    INSERT INTO stock_movements (product_id, delta, stock_after, reason, actor_kind)
    SELECT p.id, p.stock_quantity, p.stock_quantity, 'OPENING'::"StockMovementReason", 'SYSTEM'::"StockActorKind" FROM products p
    WHERE p.stock_quantity <> 0 AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.product_id = p.id)`;
