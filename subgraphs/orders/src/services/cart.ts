import { isAdmin, isSelf, requireUser } from '@shop/auth';
import { AppError, badUserInput, ErrorCode, notFound } from '@shop/errors';
import { whenRead } from '@shop/db';
import { multiplyMoney, parseId, parseInput, sumMoney } from '@shop/graphql-kit';
import { z } from 'zod';
import type { CartItem } from '../generated/prisma/client.js';
import type { ProductSnapshot } from '../data/catalog-client.js';
import { addToCartLine, deleteCartLines, findCart, upsertCartLine, type CartRecord } from '../data/carts.js';
import type { Context } from '../context.js';
import { MAX_LINE_QUANTITY, parseIdempotencyKey, parseShipping } from './placement.js';

/**
 * A cart is its owner's (and, for support, an admin's) to read. `withPrices` when the selection
 * asks for a price or availability: the lines' products are then looked up in catalog at once,
 * in one call, so that each line's fields answer without a promise of their own.
 */
export async function cartOf(ctx: Context, userId: string, withPrices: boolean): Promise<CartRecord> {
  if (!isSelf(ctx.viewer, userId) && !isAdmin(ctx.viewer)) throw new AppError(ErrorCode.FORBIDDEN, 'A cart is its owner\'s');
  // Read with the carts other requests read now: the shared read returns a cart for every user.
  const cart = (await ctx.loaders.cartOfUser.load(parseId(userId)))!;
  // A failed lookup is not the cart's: the loader keeps it, and each field needing a price reports it as before.
  if (withPrices && cart.items.length > 0) await ctx.loaders.productSnapshot.loadMany(cart.items.map((item) => item.productId));
  return cart;
}

/** A cart line's units: from 1 when adding, from 0 (removing the line) when setting. */
const quantityFrom = (min: number) => {
  const outOfRange = `must be between ${min} and ${MAX_LINE_QUANTITY}`;
  return z.number().int(outOfRange).min(min, outOfRange).max(MAX_LINE_QUANTITY, outOfRange);
};
const addedQuantity = quantityFrom(1);
const setQuantity = quantityFrom(0);

/** Only products that can be ordered go into a cart. */
async function orderableProduct(ctx: Context, id: string): Promise<string> {
  const productId = parseId(id, 'productId');
  const product = await ctx.loaders.productSnapshot.load(productId);
  if (!product) throw notFound('Product');
  if (!product.orderable) throw new AppError(ErrorCode.PRODUCT_UNAVAILABLE, 'This product cannot be ordered', { productId });
  return productId;
}

export async function addToCart(ctx: Context, productId: string, quantity: number): Promise<CartRecord> {
  const userId = requireUser(ctx.viewer).userId;
  const units = parseInput(addedQuantity, quantity, 'quantity');
  const id = await orderableProduct(ctx, productId);
  const line = await addToCartLine(ctx.prisma, userId, id, units, MAX_LINE_QUANTITY);
  if (!line) throw badUserInput(`A cart line holds at most ${MAX_LINE_QUANTITY} units`, 'quantity');
  return findCart(ctx.prisma, userId);
}

/** Sets a line's quantity, adding the line if need be (a retry sets the same value again); 0 removes it. */
export async function updateCartItem(ctx: Context, productId: string, quantity: number): Promise<CartRecord> {
  const userId = requireUser(ctx.viewer).userId;
  const units = parseInput(setQuantity, quantity, 'quantity');
  if (units === 0) await deleteCartLines(ctx.prisma, userId, [parseId(productId, 'productId')]);
  else await upsertCartLine(ctx.prisma, userId, await orderableProduct(ctx, productId), units);
  return findCart(ctx.prisma, userId);
}

/** Removing what is not there is not an error: the cart ends as asked. */
export async function removeFromCart(ctx: Context, productId: string): Promise<CartRecord> {
  const userId = requireUser(ctx.viewer).userId;
  await deleteCartLines(ctx.prisma, userId, [parseId(productId, 'productId')]);
  return findCart(ctx.prisma, userId);
}

/** Orders the whole cart, once: the lines leave the cart in the transaction that confirms the order. */
export async function checkout(ctx: Context, idempotencyKey: string, shippingAddress: unknown) {
  const userId = requireUser(ctx.viewer).userId;
  const key = parseIdempotencyKey(idempotencyKey, 'idempotencyKey');
  const shipping = parseShipping(shippingAddress, 'shippingAddress');
  return ctx.placement.placeOnce({ userId, idempotencyKey: key, kind: 'checkout', shipping });
}

/** The line's product as catalog has it now (null when gone): at once if already read. */
const withProduct = <Answer>(ctx: Context, item: CartItem, answer: (product: ProductSnapshot | null) => Answer) =>
  whenRead(ctx.loaders.productSnapshot.load(item.productId), answer);

/** Quantity times the product's current price; null when the product is gone. */
const lineTotalAt = (product: ProductSnapshot | null, item: CartItem) =>
  product ? { amount: multiplyMoney(product.price, item.quantity), currency: product.currency } : null;

/** False when the product became inactive or has fewer units than the line asks for. */
const availableAt = (product: ProductSnapshot | null, item: CartItem) => Boolean(product?.orderable && product.stockQuantity >= item.quantity);

export const lineTotal = (ctx: Context, item: CartItem) => withProduct(ctx, item, (product) => lineTotalAt(product, item));

export const isAvailable = (ctx: Context, item: CartItem) => withProduct(ctx, item, (product) => availableAt(product, item));

/** The sum of the lines that can be ordered now; null for an empty cart or mixed currencies. */
function subtotalAt(items: readonly CartItem[], products: ReadonlyArray<ProductSnapshot | null>) {
  const lines = items.flatMap((item, index) => (availableAt(products[index]!, item) ? [lineTotalAt(products[index]!, item)!] : []));
  const currencies = new Set(lines.map((line) => line.currency));
  if (lines.length === 0 || currencies.size !== 1) return null;
  return { amount: sumMoney(lines.map((line) => line.amount)), currency: lines[0]!.currency };
}

export function subtotal(ctx: Context, cart: CartRecord) {
  // Asked in one tick, so the lines' products not read yet come in one catalog call.
  const products = cart.items.map((item) => ctx.loaders.productSnapshot.load(item.productId));
  return products.some((product) => product instanceof Promise)
    ? Promise.all(products).then((read) => subtotalAt(cart.items, read))
    : subtotalAt(cart.items, products as Array<ProductSnapshot | null>);
}
