import { isAdmin, isSelf, requireUser, type Viewer } from '@shop/auth';
import { AppError, ErrorCode, notFound } from '@shop/errors';
import { emptyPage, isId, parseId, readPage, type Page, type PageArgs } from '@shop/graphql-kit';
import type { Order, OrderStatus } from '../generated/prisma/client.js';
import type { OrderFilter, PlaceOrderInput, UserOrderFilter } from '../generated/graphql.js';
import type { Context } from '../context.js';
import type { PostalAddress } from '../data/users-client.js';
import { findOrderPage, transitionOrder, type OrderConditions, type OrderItemRecord, type OrderRecord } from '../data/orders.js';
import { parseIdempotencyKey, parseOrderLines, parseShipping } from './placement.js';

const canSeeOrdersOf = (viewer: Viewer, userId: string) => isAdmin(viewer) || isSelf(viewer, userId);

/** An order its owner or an admin may read; to anyone else it does not exist. */
export async function getOrder(ctx: Context, id: string): Promise<Order | null> {
  requireUser(ctx.viewer);
  const order = await ctx.loaders.orderById.load(parseId(id));
  return order && canSeeOrdersOf(ctx.viewer, order.userId) ? order : null;
}

export async function getOrderReference(ctx: Context, id: string): Promise<Order | null> {
  if (!isId(id)) return null;
  const order = await ctx.loaders.orderById.load(id.toLowerCase());
  return order && canSeeOrdersOf(ctx.viewer, order.userId) ? order : null;
}

/** What a page reads: `withItems` when the selection asks for the orders' lines, read with the page then. */
async function orderPage(ctx: Context, conditions: OrderConditions, args: PageArgs, withItems: boolean): Promise<Page<OrderRecord>> {
  return primed(ctx, await readPage(args, (window) => findOrderPage(ctx.prisma, { conditions, withItems, ...window })));
}

function primed(ctx: Context, page: Page<OrderRecord>): Page<OrderRecord> {
  page.items.forEach((order) => ctx.loaders.orderById.prime(order.id, order));
  return page;
}

/** A user's own orders (or any user's, for an admin), by status if asked: read with the pages other requests read now. */
export async function listOrdersOfUser(
  ctx: Context,
  userId: string,
  args: PageArgs & { filter?: UserOrderFilter | null },
  withItems: boolean,
): Promise<Page<OrderRecord>> {
  requireUser(ctx.viewer);
  if (!canSeeOrdersOf(ctx.viewer, userId)) return emptyPage(args);
  const ask = { userId: parseId(userId), status: args.filter?.status ?? null, withItems };
  // The shared read answers every ask.
  return primed(ctx, await readPage(args, async (window) => (await ctx.loaders.userOrders.load({ ...ask, ...window }))!));
}

/** Every order; `@requiresScopes` in the SDL keeps this to admins. */
export function listAllOrders(ctx: Context, args: PageArgs & { filter?: OrderFilter | null }, withItems: boolean): Promise<Page<OrderRecord>> {
  const filter = args.filter ?? {};
  return orderPage(
    ctx,
    {
      status: filter.status ?? undefined,
      userId: filter.userId ? parseId(filter.userId, 'filter.userId') : undefined,
      createdFrom: filter.createdAfter ?? undefined,
      createdBefore: filter.createdBefore ?? undefined,
    },
    args,
    withItems,
  );
}

/** The copy taken when the order was placed (written through postalAddressSchema, so read as it). */
export const shippingAddressOf = (order: Order) => order.shippingAddress as PostalAddress | null;

/** The lines read with the order's page, at once (no promise for graphql-js to wait on); otherwise loaded in a batch. */
export function itemsOf(ctx: Context, order: OrderRecord): OrderItemRecord[] | Promise<OrderItemRecord[]> {
  return (
    order.loadedItems ??
    ctx.loaders.itemsByOrderId.load(order.id).then((items) => items.map((item) => ({ ...item, currency: order.currency })))
  );
}

export function placeOrder(ctx: Context, input: PlaceOrderInput): Promise<Order> {
  const userId = requireUser(ctx.viewer).userId;
  const idempotencyKey = parseIdempotencyKey(input.idempotencyKey, 'input.idempotencyKey');
  const lines = parseOrderLines(input.items);
  const shipping = parseShipping(input.shippingAddress, 'input.shippingAddress');
  return ctx.placement.placeOnce({ userId, idempotencyKey, kind: 'placeOrder', lines, shipping });
}

/** The order life cycle: anything else is refused with INVALID_STATUS_TRANSITION. */
const nextStatuses: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

async function transition(ctx: Context, order: Order, to: OrderStatus): Promise<Order> {
  if (!nextStatuses[order.status].includes(to)) {
    throw new AppError(ErrorCode.INVALID_STATUS_TRANSITION, `An order ${order.status} cannot become ${to}`, { from: order.status, to });
  }
  if (!(await transitionOrder(ctx.prisma, order, to))) {
    // Another change got there first: judge this one against where the order is now.
    ctx.loaders.orderById.clear(order.id);
    const now = await ctx.loaders.orderById.load(order.id);
    if (!now) throw notFound('Order');
    return transition(ctx, now, to);
  }
  // Cancelling returns the stock now if catalog answers, otherwise the recovery loop does.
  if (to === 'CANCELLED') await ctx.placement.returnStock(order.id);
  ctx.loaders.orderById.clear(order.id);
  return (await ctx.loaders.orderById.load(order.id))!;
}

/** Owners (and admins) cancel orders that are still PENDING; the stock goes back once. */
export async function cancelOrder(ctx: Context, id: string): Promise<Order> {
  const order = await getOrder(ctx, id);
  if (!order) throw notFound('Order');
  if (order.status !== 'PENDING') {
    throw new AppError(ErrorCode.INVALID_STATUS_TRANSITION, `Only a PENDING order can be cancelled; this one is ${order.status}`, {
      from: order.status,
      to: 'CANCELLED',
    });
  }
  return transition(ctx, order, 'CANCELLED');
}

/** Admins move orders through their life (`@requiresScopes` keeps this to them). */
export async function updateOrderStatus(ctx: Context, id: string, status: OrderStatus): Promise<Order> {
  const order = await ctx.loaders.orderById.load(parseId(id));
  if (!order) throw notFound('Order');
  return transition(ctx, order, status);
}
