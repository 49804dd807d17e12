import { isAdmin, isSelf, requireUser } from '@shop/auth';
import { AppError, badUserInput, ErrorCode, notFound } from '@shop/errors';
import { multiplyMoney, parseId, parseInput, sumMoney } from '@shop/graphql-kit';
import { z } from 'zod';
import type { CartItem } from '../generated/prisma/client.js';
import { addToCartLine, deleteCartLines, findCart, upsertCartLine, type CartRecord } from '../data/carts.js';
import type { Context } from '../context.js';
import { MAX_LINE_QUANTITY, parseIdempotencyKey, parseShipping } from './placement.js';

/** A cart is its owner's (and, for support, an admin's) to read. */
export function cartOf(ctx: Context, userId: string): Promise<CartRecord> {
  if (!isSelf(ctx.viewer, userId) && !isAdmin(ctx.viewer)) throw new AppError(ErrorCode.FORBIDDEN, 'A cart is its owner\'s');
  return findCart(ctx.prisma, userId);
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

/** Quantity times the product's current price; null when the product is gone. */
export async function lineTotal(ctx: Context, item: CartItem) {
  const product = await ctx.loaders.productSnapshot.load(item.productId);
  return product ? { amount: multiplyMoney(product.price, item.quantity), currency: product.currency } : null;
}

/** False when the product became inactive or has fewer units than the line asks for. */
export async function isAvailable(ctx: Context, item: CartItem): Promise<boolean> {
  const product = await ctx.loaders.productSnapshot.load(item.productId);
  return Boolean(product?.orderable && product.stockQuantity >= item.quantity);
}

/** The sum of the lines that can be ordered now; null for an empty cart or mixed currencies. */
export async function subtotal(ctx: Context, cart: CartRecord) {
  // Loaded together, so the lines' products come in one catalog call.
  const available = await Promise.all(cart.items.map((item) => isAvailable(ctx, item)));
  const lines = (await Promise.all(cart.items.filter((_item, index) => available[index]).map((item) => lineTotal(ctx, item)))).map((line) => line!);
  const currencies = new Set(lines.map((line) => line.currency));
  if (lines.length === 0 || currencies.size !== 1) return null;
  return { amount: sumMoney(lines.map((line) => line.amount)), currency: lines[0]!.currency };
}
