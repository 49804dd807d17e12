import { isAdmin, Scope, scopesOf, type Viewer } from '@shop/auth';
import { badUserInput } from '@shop/errors';
import type { Page, PageArgs } from '@shop/graphql-kit';
import { z } from 'zod';
import type { Product } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { TRANSACTION_TIMEOUT_MS } from '../data/client.js';
import { databaseNow, type ProductConditions } from '../data/products.js';
import { readProductPage } from './products.js';

/**
 * How old a change must be before a sync returns it (10 s). A change is stamped with its
 * transaction's start (the `updated_at` trigger) but seen only once committed: a page read while
 * it is still open must not move a partner's cursor past it (docs/adr/0033). No catalog
 * transaction stays open longer than TRANSACTION_TIMEOUT_MS; twice that leaves room for the
 * commit itself on a loaded database. Not configuration: it follows from that bound, and a
 * longer transaction timeout lengthens it here.
 */
export const SYNC_SETTLE_MS = 2 * TRANSACTION_TIMEOUT_MS;

/** Sorts after every id: a cursor at an instant with it means "changes after that instant". */
const AFTER_EVERY_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

interface Position {
  updatedAt: Date;
  id: string;
}

const positionSchema = z.tuple([z.iso.datetime(), z.uuid()]);

const encodeCursor = ({ updatedAt, id }: Position) => Buffer.from(JSON.stringify([updatedAt.toISOString(), id])).toString('base64url');

function decodeCursor(cursor: string): Position {
  try {
    const [updatedAt, id] = positionSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { updatedAt: new Date(updatedAt), id: id.toLowerCase() };
  } catch {
    throw badUserInput('after is not a cursor this API gave', 'after');
  }
}

/** Admins and keys that read stock learn that a product they synced went away; others only see what is on sale. */
const seesRemovals = (viewer: Viewer) => isAdmin(viewer) || scopesOf(viewer).includes(Scope.STOCK_READ);

const canSee = (viewer: Viewer, product: Product) => !product.deletedAt && (product.isActive || isAdmin(viewer));

export interface SyncPage extends Page<Product> {
  unavailable: Array<Pick<Product, 'id' | 'updatedAt'>>;
  nextCursor: string | null;
}

/** A page read outside sync mode: nothing unavailable, no cursor. */
export const listingPage = (page: Page<Product>): SyncPage => ({ ...page, unavailable: [], nextCursor: null });

export interface SyncArgs extends PageArgs {
  updatedAfter: Date | null;
  after: string | null;
  countTotal: boolean;
}

/**
 * Sync mode of `products`: every product changed after a point, in (updatedAt, id) order, up
 * to what has settled; a cursor is the last position read. The filter's other conditions
 * (`filtered`) still narrow it.
 */
export async function syncProducts(
  ctx: Context,
  args: SyncArgs,
  filtered: Omit<ProductConditions, 'includeDeleted'>,
  isActive: boolean | null | undefined,
): Promise<SyncPage> {
  if ((args.page ?? 1) !== 1) throw badUserInput('page cannot be used in sync mode: pass the nextCursor as after', 'page');
  const position = args.after != null ? decodeCursor(args.after) : null;
  const horizon = new Date((await databaseNow(ctx.prisma)).getTime() - ctx.syncSettleMs);
  const removals = seesRemovals(ctx.viewer);
  const visibility: ProductConditions = !removals
    ? { includeDeleted: false, isActive: true }
    : { includeDeleted: true, ...(isAdmin(ctx.viewer) && isActive != null ? { isActive } : {}) };
  const conditions: ProductConditions = {
    ...filtered,
    ...visibility,
    updatedUpTo: horizon,
    updatedAfter: args.updatedAfter ?? undefined,
    after: position ?? undefined,
  };
  const page = await readProductPage(ctx, args, { conditions: () => conditions, sort: 'SYNC', countTotal: args.countTotal });
  const last = page.items.at(-1);
  const start = position ?? (args.updatedAfter ? { updatedAt: args.updatedAfter, id: AFTER_EVERY_ID } : null);
  return {
    items: page.items.filter((product) => canSee(ctx.viewer, product)),
    meta: page.meta,
    unavailable: page.items.filter((product) => !canSee(ctx.viewer, product)).map(({ id, updatedAt }) => ({ id, updatedAt })),
    nextCursor: last ? encodeCursor(last) : start && encodeCursor(start),
  };
}
