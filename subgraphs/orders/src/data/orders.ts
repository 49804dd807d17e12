import { EventTopic } from '@shop/contracts';
import { countedPageOf, countedPageStatement, groupByKey, pageRowColumn, writeEvent, type CountedPageRow } from '@shop/db';
import type { PageWindow } from '@shop/graphql-kit';
import type { Amount } from '@shop/graphql-kit';
import { Prisma, type Order, type OrderItem, type OrderStatus } from '../generated/prisma/client.js';
import type { PostalAddress } from './users-client.js';
import type { OrdersPrisma } from './client.js';
import { erasedFields, holdBuyer, isErasedBuyer } from './erasure.js';

/** An order line as the schema shows it, with its order's currency (one currency per order). */
export interface OrderItemRecord {
  id: string;
  productId: string;
  quantity: number;
  unitPrice: Amount;
  currency: string;
}
/** An order; a page that was asked for the lines read them with it (`loadedItems`), others load them when asked. */
export type OrderRecord = Order & { loadedItems?: OrderItemRecord[] };
/** An order row as Prisma's model reads it: Decimal total, Date instants, parsed JSON. */
const orderColumns = Prisma.sql`
  o.id, o.user_id AS "userId", o.status, o.total, o.currency, o.idempotency_key AS "idempotencyKey",
  o.request_hash AS "requestHash", o.stock_state AS "stockState", o.shipping_address AS "shippingAddress",
  o.anonymised_at AS "anonymisedAt", o.created_at AS "createdAt", o.updated_at AS "updatedAt"`;

/** Clients see confirmed orders only: one still reserving its stock is not an order yet. */
const confirmed = Prisma.sql`o.stock_state <> 'RESERVING'`;

// The hot reads are raw SQL, one statement each (docs/adr/0038); writes stay with Prisma's builder.
export const findOrdersByIds = (prisma: OrdersPrisma, ids: readonly string[]) =>
  prisma.$readRows<Order[]>(Prisma.sql`SELECT ${orderColumns} FROM orders o WHERE o.id = ANY(${[...ids]}::uuid[]) AND ${confirmed}`);

export const findItemsOfOrders = (prisma: OrdersPrisma, orderIds: readonly string[]) =>
  prisma.$readRows<OrderItem[]>(Prisma.sql`
    SELECT i.id, i.order_id AS "orderId", i.product_id AS "productId", i.product_name AS "productName", i.quantity, i.unit_price AS "unitPrice"
    FROM order_items i WHERE i.order_id = ANY(${[...orderIds]}::uuid[])
    ORDER BY i.product_name ASC, i.id ASC`);

/** Which confirmed orders a page reads: every condition set narrows it. */
export interface OrderConditions {
  userId?: string;
  status?: OrderStatus;
  createdFrom?: Date;
  createdBefore?: Date;
}

function whereClause(conditions: OrderConditions): Prisma.Sql {
  const parts = [confirmed];
  if (conditions.userId) parts.push(Prisma.sql`o.user_id = ${conditions.userId}::uuid`);
  if (conditions.status) parts.push(Prisma.sql`o.status = ${conditions.status}::"OrderStatus"`);
  if (conditions.createdFrom) parts.push(Prisma.sql`o.created_at >= ${conditions.createdFrom}`);
  if (conditions.createdBefore) parts.push(Prisma.sql`o.created_at < ${conditions.createdBefore}`);
  return Prisma.join(parts, ' AND ');
}

/**
 * The lines of each order of a page, read with the page: a JSON array per order (unit prices as
 * text, keeping their scale), in the order the loader reads them.
 */
const pageLines = Prisma.sql`
  COALESCE((
    SELECT json_agg(json_build_object('id', i.id, 'productId', i.product_id, 'quantity', i.quantity, 'unitPrice', i.unit_price::text, 'currency', p.currency)
      ORDER BY i.product_name ASC, i.id ASC)
    FROM order_items i WHERE i.order_id = p.id
  ), '[]'::json)`;

/**
 * A page of orders, newest first, with the total the conditions match and the orders' lines if
 * asked: one statement.
 */
export async function findOrderPage(prisma: OrdersPrisma, query: PageWindow & { conditions: OrderConditions; withItems: boolean }) {
  const where = whereClause(query.conditions);
  const page = Prisma.sql`
    SELECT ${orderColumns}, ${pageRowColumn} FROM orders o WHERE ${where}
    ORDER BY o.created_at DESC, o.id ASC LIMIT ${query.take} OFFSET ${query.skip}`;
  const { rows, totalItems } = countedPageOf(
    await prisma.$readRows<Array<CountedPageRow<OrderRecord>>>(
      countedPageStatement(
        query.withItems ? Prisma.sql`SELECT p.*, ${pageLines} AS "loadedItems" FROM (${page}) p ORDER BY p."createdAt" DESC, p.id ASC` : page,
        Prisma.sql`SELECT count(*) FROM orders o WHERE ${where}`,
      ),
    ),
  );
  return { items: rows, totalItems };
}

/** A page of one user's orders, as a request asks for it. */
export interface UserOrdersAsk {
  /** Valid and lower-case (parseId). */
  userId: string;
  status: OrderStatus | null;
  take: number;
  skip: number;
  withItems: boolean;
}

/**
 * The pages of several users' orders in one statement, each as findOrderPage reads it (newest
 * first, its total, its lines if asked), in the order asked. Each ask is a row of the arrays
 * PostgreSQL is sent; its page is a lateral subquery, which the planner can only join by a
 * nested loop over the asks, so each page keeps its order.
 */
export async function findOrderPagesOfUsers(prisma: OrdersPrisma, asks: readonly UserOrdersAsk[]): Promise<Array<{ items: OrderRecord[]; totalItems: number }>> {
  const where = Prisma.sql`${confirmed} AND o.user_id = ask.user_id AND (ask.status IS NULL OR o.status = ask.status::"OrderStatus")`;
  const page = Prisma.sql`
    SELECT p.*, CASE WHEN ask.with_items THEN ${pageLines} END AS "loadedItems"
    FROM (
      SELECT ${orderColumns}, ${pageRowColumn} FROM orders o WHERE ${where}
      ORDER BY o.created_at DESC, o.id ASC LIMIT ask.take OFFSET ask.skip
    ) p ORDER BY p."createdAt" DESC, p.id ASC`;
  const rows = await prisma.$readRows<Array<CountedPageRow<OrderRecord> & { ask: bigint }>>(Prisma.sql`
    SELECT ask.n AS "ask", counted.*
    FROM unnest(${asks.map((ask) => ask.userId)}::uuid[], ${asks.map((ask) => ask.status)}::text[], ${asks.map((ask) => ask.take)}::int[],
                ${asks.map((ask) => ask.skip)}::int[], ${asks.map((ask) => ask.withItems)}::boolean[]) WITH ORDINALITY AS ask (user_id, status, take, skip, with_items, n)
    CROSS JOIN LATERAL (${countedPageStatement(page, Prisma.sql`SELECT count(*) FROM orders o WHERE ${where}`)}) AS counted`);
  const rowsOf = groupByKey(asks.map((_ask, index) => String(index + 1)), rows, (row) => String(row.ask));
  return rowsOf.map((askRows) => {
    const { rows: orders, totalItems } = countedPageOf(askRows.map(({ ask: _ask, ...row }) => row));
    return { items: orders.map(({ loadedItems, ...order }) => (loadedItems === null ? order : { ...order, loadedItems })), totalItems };
  });
}

export type OrderWithItems = Order & { items: OrderItem[] };

export const findOrderByKey = (prisma: OrdersPrisma, userId: string, idempotencyKey: string) =>
  prisma.order.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } }, include: { items: true } });

export const findOrderWithItems = (prisma: OrdersPrisma, id: string) =>
  prisma.order.findUnique({ where: { id }, include: { items: true } });

export interface RequestedOrder {
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  /** Kept as it is now: the order's own copy. */
  shippingAddress: PostalAddress | null;
  lines: ReadonlyArray<{ productId: string; quantity: number }>;
}

const reservingOrder = (order: Omit<RequestedOrder, 'lines'>) => ({
  userId: order.userId,
  idempotencyKey: order.idempotencyKey,
  requestHash: order.requestHash,
  shippingAddress: order.shippingAddress ?? Prisma.DbNull,
  stockState: 'RESERVING' as const,
  total: '0',
  // ISO 4217's "no currency" until catalog tells the real one.
  currency: 'XXX',
});

const unpricedLine = (line: { productId: string; quantity: number }) => ({ productId: line.productId, quantity: line.quantity, productName: '', unitPrice: '0' });

/**
 * The saga's first step: the order and its lines, RESERVING, before any stock is asked for,
 * so that a crash at any later point leaves a record to finish or undo. Prices and the
 * total are filled in when the stock is confirmed.
 */
export const createReservingOrder = (prisma: OrdersPrisma, order: RequestedOrder) =>
  prisma.order.create({
    data: { ...reservingOrder(order), items: { create: order.lines.map(unpricedLine) } },
    include: { items: true },
  });

/** Why a cart cannot become an order now: it has no lines, or another checkout holds it. */
export type CheckoutRefusal = 'CART_EMPTY' | 'CART_CLAIMED';

class CheckoutRefused extends Error {
  constructor(readonly reason: CheckoutRefusal) {
    super(reason);
  }
}

/**
 * Checkout's first step: the buyer's cart claimed for a RESERVING order holding the lines the
 * cart holds, in one transaction. The claim is a conditional update of the cart's row, taken
 * before the lines are read: a concurrent checkout waits for the row, then finds it claimed,
 * or, once the claiming order is confirmed, the lines gone. One cart becomes at most one order.
 */
export async function createCheckoutOrder(prisma: OrdersPrisma, order: Omit<RequestedOrder, 'lines'>): Promise<OrderWithItems | CheckoutRefusal> {
  try {
    return await prisma.$transaction(async (tx) => {
      const { id } = await tx.order.create({ data: reservingOrder(order), select: { id: true } });
      const claimed = await tx.cart.updateMany({ where: { userId: order.userId, checkoutOrderId: null }, data: { checkoutOrderId: id } });
      if (claimed.count === 0) throw new CheckoutRefused((await tx.cart.count({ where: { userId: order.userId } })) > 0 ? 'CART_CLAIMED' : 'CART_EMPTY');
      const lines = await tx.cartItem.findMany({ where: { cart: { userId: order.userId } }, select: { productId: true, quantity: true } });
      if (lines.length === 0) throw new CheckoutRefused('CART_EMPTY');
      await tx.orderItem.createMany({ data: lines.map((line) => ({ orderId: id, ...unpricedLine(line) })) });
      return tx.order.findUniqueOrThrow({ where: { id }, include: { items: true } });
    });
  } catch (error) {
    if (error instanceof CheckoutRefused) return error.reason;
    throw error;
  }
}

/** Undoes the first step of an order that could not get its stock; nothing else was written (a cart's claim on it goes with it). */
export const deleteReservingOrder = (prisma: OrdersPrisma, id: string) =>
  prisma.order.deleteMany({ where: { id, stockState: 'RESERVING' } });

export interface Confirmation {
  total: string;
  currency: string;
  lines: ReadonlyArray<{ productId: string; unitPrice: string; name: string }>;
}

/**
 * RESERVING → RESERVED with the reserved prices, once; false when another call got there first.
 * A checkout's order holds its cart's claim until now: the cart is freed and the ordered lines
 * leave it in the same transaction (an order placed from lines claims no cart).
 */
export const confirmOrder = (prisma: OrdersPrisma, order: Order, confirmation: Confirmation) =>
  prisma.$transaction(async (tx) => {
    // A buyer deleted while the order was being placed (its access token honoured for a few seconds more) keeps no address in it.
    await holdBuyer(tx, order.userId, 'confirm');
    const erased = await isErasedBuyer(tx, order.userId);
    const confirmed = await tx.order.updateMany({
      where: { id: order.id, stockState: 'RESERVING' },
      data: {
        stockState: 'RESERVED',
        status: 'PENDING',
        total: confirmation.total,
        currency: confirmation.currency,
        ...(erased ? erasedFields(new Date()) : {}),
      },
    });
    if (confirmed.count === 0) return false;
    for (const line of confirmation.lines) {
      await tx.orderItem.updateMany({
        where: { orderId: order.id, productId: line.productId },
        data: { unitPrice: line.unitPrice, productName: line.name },
      });
    }
    const freed = await tx.cart.updateMany({ where: { checkoutOrderId: order.id }, data: { checkoutOrderId: null } });
    if (freed.count > 0) {
      await tx.cartItem.deleteMany({ where: { cart: { userId: order.userId }, productId: { in: confirmation.lines.map((line) => line.productId) } } });
    }
    await writeEvent(tx, EventTopic.ORDER_PLACED, order.id, {
      orderId: order.id,
      userId: order.userId,
      total: confirmation.total,
      currency: confirmation.currency,
      productIds: confirmation.lines.map((line) => line.productId),
    });
    return true;
  });

/**
 * Moves a confirmed order from one status to another, once: the condition on the current
 * status makes concurrent transitions race safely. Cancelling also marks its stock for return.
 */
export const transitionOrder = (prisma: OrdersPrisma, order: Order, to: OrderStatus) =>
  prisma.$transaction(async (tx) => {
    const cancelling = to === 'CANCELLED';
    const moved = await tx.order.updateMany({
      where: { id: order.id, status: order.status, stockState: 'RESERVED' },
      data: { status: to, ...(cancelling ? { stockState: 'RELEASING' as const } : {}) },
    });
    if (moved.count === 0) return false;
    await writeEvent(tx, cancelling ? EventTopic.ORDER_CANCELLED : EventTopic.ORDER_STATUS_CHANGED, order.id, {
      orderId: order.id,
      userId: order.userId,
      from: order.status,
      to,
    });
    return true;
  });

export const markStockReleased = (prisma: OrdersPrisma, id: string) =>
  prisma.order.updateMany({ where: { id, stockState: 'RELEASING' }, data: { stockState: 'RELEASED' } });

/** Orders the saga left unfinished: reserving for longer than a request lasts, or cancelled with stock still out. */
export const findUnfinishedOrders = (prisma: OrdersPrisma, reservingBefore: Date, limit: number) =>
  prisma.order.findMany({
    where: { OR: [{ stockState: 'RESERVING', updatedAt: { lt: reservingBefore } }, { stockState: 'RELEASING' }] },
    include: { items: true },
    orderBy: { updatedAt: 'asc' },
    take: limit,
  });
