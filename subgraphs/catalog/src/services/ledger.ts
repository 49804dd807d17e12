import type { Viewer } from '@shop/auth';
import { AppError, ErrorCode, notFound } from '@shop/errors';
import { parseId, parseInput, readPage, type Page, type PageArgs } from '@shop/graphql-kit';
import type { AdjustStockInput } from '../generated/graphql.js';
import type { Product, StockMovement } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { AdjustmentRefused, adjustStock as writeAdjustment, findLowStockPage, findMovementPage, type StockActor } from '../data/ledger.js';
import { productExists } from '../data/products.js';
import { adjustStockInput, lowStockThresholdInput } from './input.js';
import { listingPage, type SyncPage } from './sync.js';

/** Admin writes reach here only for a signed-in admin (`@requiresScopes`); anyone else is the system. */
export const actorOf = (viewer: Viewer): StockActor => (viewer.kind === 'user' ? { kind: 'USER', userId: viewer.userId } : { kind: 'SYSTEM' });

/** Adds a delta to a product's stock, by the signed-in admin; refused whole when it would go below zero. */
export async function adjustStock(ctx: Context, fields: AdjustStockInput): Promise<{ product: Product; movement: StockMovement }> {
  const change = parseInput(adjustStockInput, fields);
  try {
    return await writeAdjustment(ctx.prisma, { ...change, actor: actorOf(ctx.viewer) });
  } catch (error) {
    if (!(error instanceof AdjustmentRefused)) throw error;
    if (error.reason === 'UNKNOWN_PRODUCT') throw notFound('Product');
    throw new AppError(ErrorCode.STOCK_BELOW_ZERO, `${change.delta} would take the stock of ${error.stockQuantity} below zero`, {
      productId: change.productId,
      stockQuantity: error.stockQuantity,
    });
  }
}

/** A product's stock movements, newest first (deleted products' too: their history stays). */
export async function stockMovements(ctx: Context, id: string, args: PageArgs): Promise<Page<StockMovement>> {
  const productId = parseId(id, 'productId');
  if (!(await productExists(ctx.prisma, productId))) throw notFound('Product');
  return readPage(args, (window) => findMovementPage(ctx.prisma, productId, window));
}

export async function lowStockProducts(ctx: Context, below: number, args: PageArgs): Promise<SyncPage> {
  const threshold = parseInput(lowStockThresholdInput, below, 'below');
  const page = await readPage(args, (window) => findLowStockPage(ctx.prisma, threshold, window));
  page.items.forEach((product) => ctx.loaders.productById.prime(product.id, product));
  return listingPage(page);
}
