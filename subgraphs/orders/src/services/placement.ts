import { createHash } from 'node:crypto';
import { AppError, badUserInput, ErrorCode, notFound } from '@shop/errors';
import { idInput, multiplyMoney, parseInput, sumMoney, textInput } from '@shop/graphql-kit';
import { z } from 'zod';
import { postalAddressSchema } from '@shop/contracts';
import type { Logger } from '@shop/logging';
import type { Order } from '../generated/prisma/client.js';
import type { OrdersPrisma } from '../data/client.js';
import { CatalogUnavailable, type CatalogClient, type ReservedLine } from '../data/catalog-client.js';
import { UsersUnavailable, type PostalAddress, type UsersClient } from '../data/users-client.js';
import {
  confirmOrder,
  createCheckoutOrder,
  createReservingOrder,
  deleteReservingOrder,
  findOrderByKey,
  findOrderWithItems,
  markStockReleased,
  type OrderWithItems,
} from '../data/orders.js';
import { isUniqueViolation } from '@shop/db';

export const MAX_ORDER_LINES = 100;
/**
 * The most units of one product a line may hold, in a cart or an order. It is public, so
 * that whether a line can be had tells a shopper no more than min(stock, this cap)
 * (docs/adr/0012).
 */
export const MAX_LINE_QUANTITY = 10;
const MAX_KEY_LENGTH = 200;
/** How long a concurrent request with the same key waits for the first one to finish. */
const CONCURRENT_WAIT_MS = 15_000;

export interface OrderLine {
  productId: string;
  quantity: number;
}

/** What the saga needs: its database, the catalog, users (for saved addresses), and (tests only) probes between steps. */
export interface PlacementDeps {
  prisma: OrdersPrisma;
  catalog: CatalogClient;
  users: UsersClient;
  logger: Logger;
  hooks?: PlacementHooks;
}

/** Called between the saga's steps; tests use it to stop the catalog at exactly that point. */
export interface PlacementHooks {
  afterReserve?(orderId: string): Promise<void>;
  afterCommit?(orderId: string): Promise<void>;
}

const idempotencyKeyInput = textInput(MAX_KEY_LENGTH).min(1, 'cannot be empty');

export const parseIdempotencyKey = (value: string, field: string): string => parseInput(idempotencyKeyInput, value, field);

const orderLinesInput = z
  .array(
    z.object({
      productId: idInput,
      quantity: z.number().int(`must be between 1 and ${MAX_LINE_QUANTITY}`).min(1, `must be between 1 and ${MAX_LINE_QUANTITY}`).max(MAX_LINE_QUANTITY, `must be between 1 and ${MAX_LINE_QUANTITY}`),
    }),
  )
  .min(1, 'cannot be empty')
  .max(MAX_ORDER_LINES, `has more than ${MAX_ORDER_LINES} lines`)
  .superRefine((lines, issues) => {
    const seen = new Set<string>();
    for (const [index, line] of lines.entries()) {
      if (seen.has(line.productId)) issues.addIssue({ code: 'custom', path: [index, 'productId'], message: 'repeats a product: one line per product' });
      seen.add(line.productId);
    }
  });

/** Every line checked before anything is written: bounds, ids, one line per product. */
export const parseOrderLines = (items: ReadonlyArray<{ productId: string; quantity: number }>): OrderLine[] => parseInput(orderLinesInput, items, 'input.items');

/**
 * Where an order ships, as asked: one of the buyer's saved addresses (copied from users when
 * the order is recorded) or an address given with the order.
 */
export type ShippingRequest = { addressId: string } | { address: PostalAddress };

const shippingInput = z
  .object({ addressId: idInput.nullish(), address: postalAddressSchema.nullish() })
  .refine((choice) => (choice.addressId == null) !== (choice.address == null), 'needs exactly one of addressId and address')
  .transform((choice): ShippingRequest => (choice.address ? { address: choice.address } : { addressId: choice.addressId! }));

/** A shipping choice checked before anything is written or asked of users; none given is none. */
export const parseShipping = (value: unknown, field: string): ShippingRequest | null => (value == null ? null : parseInput(shippingInput, value, field));

/**
 * The request as asked, the shipping choice with it (a saved address by its id: a retry after
 * the address was edited is the same request). A request without one hashes as before
 * addresses existed, so keys used then replay the same. A checkout is one request whatever the
 * cart held: replaying its key returns its order.
 */
const hashRequest = (kind: string, lines: readonly OrderLine[], shipping: ShippingRequest | null) =>
  createHash('sha256')
    .update(`${kind}:${JSON.stringify([...lines].sort((a, b) => a.productId.localeCompare(b.productId)))}`)
    .update(shipping ? `:${JSON.stringify(shipping)}` : '')
    .digest('hex');

const unavailable = () =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The order could not be confirmed yet; retry with the same idempotency key');

const refusalErrors = {
  UNKNOWN_PRODUCT: (productId: string | null) => notFound(`Product ${productId ?? ''}`.trim()),
  PRODUCT_UNAVAILABLE: (productId: string | null) =>
    new AppError(ErrorCode.PRODUCT_UNAVAILABLE, `Product ${productId} cannot be ordered`, { productId }),
  OUT_OF_STOCK: (productId: string | null) =>
    new AppError(ErrorCode.OUT_OF_STOCK, `Not enough stock for product ${productId}`, { productId }),
  MIXED_CURRENCIES: () => new AppError(ErrorCode.MIXED_CURRENCIES, 'An order cannot mix currencies; order them separately'),
};

function confirmationOf(reserved: readonly ReservedLine[]) {
  const currency = reserved[0]!.currency;
  return {
    currency,
    total: sumMoney(reserved.map((line) => multiplyMoney(line.unitPrice, line.quantity))),
    lines: reserved.map((line) => ({ productId: line.productId, unitPrice: line.unitPrice, name: line.name })),
  };
}

/**
 * Drives a RESERVING order to its end: stock reserved and committed in catalog, then the
 * order confirmed; or, if catalog refuses, the order undone. Every step is idempotent
 * (keyed by the order id), so the request, a concurrent retry and the recovery loop may all
 * run it; whichever comes last finds the work done.
 */
async function settleOrder(deps: PlacementDeps, order: OrderWithItems): Promise<Order> {
  if (order.stockState !== 'RESERVING') return order;
  const { catalog, prisma } = deps;
  const reservation = await catalog.reserve({
    reservationId: order.id,
    lines: order.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
  });
  if ('refused' in reservation) {
    await deleteReservingOrder(prisma, order.id);
    throw refusalErrors[reservation.refused](reservation.productId);
  }
  await deps.hooks?.afterReserve?.(order.id);
  const committed = reservation.status === 'COMMITTED' ? reservation : await catalog.commit(order.id);
  if (committed.status !== 'COMMITTED') {
    // The reservation expired before this order could confirm: its stock is back on sale.
    await deleteReservingOrder(prisma, order.id);
    throw unavailable();
  }
  await deps.hooks?.afterCommit?.(order.id);
  const confirmed = await confirmOrder(prisma, order, confirmationOf(reservation.lines));
  const current = await findOrderWithItems(prisma, order.id);
  if (!confirmed && !current) {
    // Undone meanwhile (a refusal seen by a concurrent call): give the stock back.
    await catalog.release(order.id);
    throw unavailable();
  }
  return current!;
}

/** Runs the saga for a request, mapping a catalog that does not answer to a retryable error. */
async function settleForRequest(deps: PlacementDeps, order: OrderWithItems) {
  try {
    return await settleOrder(deps, order);
  } catch (error) {
    if (error instanceof CatalogUnavailable) {
      deps.logger.warn({ err: error, orderId: order.id }, 'order left reserving; recovery will finish it');
      throw unavailable();
    }
    throw error;
  }
}

/** Another request with the same key is placing this order: wait for it, then finish it if it stalled. */
async function awaitConcurrent(deps: PlacementDeps, userId: string, key: string, requestHash: string) {
  const deadline = Date.now() + CONCURRENT_WAIT_MS;
  for (;;) {
    const order = await findOrderByKey(deps.prisma, userId, key);
    if (!order) return null;
    if (order.requestHash !== requestHash) throw keyReused();
    if (order.stockState !== 'RESERVING' || Date.now() > deadline) return settleForRequest(deps, order);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const keyReused = () =>
  new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for a different order; use a new key');

/** An order of the given lines, or of whatever the buyer's cart holds. */
export type PlacementRequest = { userId: string; idempotencyKey: string; shipping: ShippingRequest | null } & (
  | { kind: 'placeOrder'; lines: OrderLine[] }
  | { kind: 'checkout' }
);

/** The address the order keeps: a saved one is read from users now, and must be the buyer's. */
async function shippingAddressFor(users: UsersClient, userId: string, shipping: ShippingRequest | null): Promise<PostalAddress | null> {
  if (!shipping) return null;
  if ('address' in shipping) return shipping.address;
  try {
    const saved = await users.savedAddress(userId, shipping.addressId);
    if (!saved) throw notFound('Address');
    return saved;
  } catch (error) {
    if (error instanceof UsersUnavailable) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The saved address could not be read; retry with the same idempotency key');
    throw error;
  }
}

/** The saga's first step for a request; a checkout's also claims the cart, or is refused. */
async function recordIntent(deps: PlacementDeps, request: PlacementRequest, requestHash: string): Promise<OrderWithItems> {
  const { prisma } = deps;
  const shippingAddress = await shippingAddressFor(deps.users, request.userId, request.shipping);
  const order = { userId: request.userId, idempotencyKey: request.idempotencyKey, requestHash, shippingAddress };
  if (request.kind === 'placeOrder') return createReservingOrder(prisma, { ...order, lines: request.lines });
  const created = await createCheckoutOrder(prisma, order);
  if (created === 'CART_EMPTY') throw badUserInput('Your cart is empty', 'cart');
  if (created === 'CART_CLAIMED') {
    throw new AppError(ErrorCode.CHECKOUT_IN_PROGRESS, 'This cart is being checked out by another request; its order will show among your orders');
  }
  return created;
}

/**
 * Places an order once per (user, idempotency key): the same key and request return the same
 * order; the same key with another request is refused. A cart becomes one order whatever the
 * keys: checkouts under other keys find it claimed, then empty.
 */
async function placeOnce(deps: PlacementDeps, request: PlacementRequest): Promise<Order> {
  const { prisma } = deps;
  const requestHash = hashRequest(request.kind, request.kind === 'checkout' ? [] : request.lines, request.shipping);
  for (;;) {
    const existing = await findOrderByKey(prisma, request.userId, request.idempotencyKey);
    if (existing) {
      if (existing.requestHash !== requestHash) throw keyReused();
      return settleForRequest(deps, existing);
    }
    try {
      const order = await recordIntent(deps, request, requestHash);
      return await settleForRequest(deps, order);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const settled = await awaitConcurrent(deps, request.userId, request.idempotencyKey, requestHash);
      // The first request's order was undone (refused): this one tries for itself.
      if (settled) return settled;
    }
  }
}

/** Returns a cancelled order's stock; on failure the recovery loop tries again. */
async function returnStock(deps: PlacementDeps, orderId: string): Promise<void> {
  try {
    const { status } = await deps.catalog.release(orderId);
    if (status === 'RELEASED' || status === 'UNKNOWN') await markStockReleased(deps.prisma, orderId);
  } catch (error) {
    if (!(error instanceof CatalogUnavailable)) throw error;
    deps.logger.warn({ err: error, orderId }, 'stock return deferred to recovery');
  }
}

/**
 * The saga, built once per process with its dependencies and shared by every request and
 * the recovery job: requests never carry the saga's wiring or its test probes.
 */
export function createPlacement(deps: PlacementDeps) {
  return {
    placeOnce: (request: PlacementRequest) => placeOnce(deps, request),
    settle: (order: OrderWithItems) => settleOrder(deps, order),
    returnStock: (orderId: string) => returnStock(deps, orderId),
  };
}

export type Placement = ReturnType<typeof createPlacement>;
