import { isAdmin, isSelf, requireUser, type Viewer } from '@shop/auth';
import { isId, pageMeta, pageRequest, parseId, type Page } from '@shop/graphql-kit';
import type { Order } from '../generated/prisma/client.js';
import type { OrderFilter } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { findOrderPage, type OrderItemRecord, type OrderWhere } from '../data/orders.js';

type PageArgs = { page?: number | null; limit?: number | null };

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

async function orderPage(ctx: Context, where: OrderWhere, args: PageArgs): Promise<Page<Order>> {
  const request = pageRequest(args);
  const { items, totalItems } = await findOrderPage(ctx.prisma, { where, skip: request.skip, take: request.limit });
  items.forEach((order) => ctx.loaders.orderById.prime(order.id, order));
  return { items, meta: pageMeta(request, totalItems) };
}

/** A user's own orders (or any user's, for an admin). */
export function listOrdersOfUser(ctx: Context, userId: string, args: PageArgs): Promise<Page<Order>> {
  requireUser(ctx.viewer);
  if (!canSeeOrdersOf(ctx.viewer, userId)) return Promise.resolve({ items: [], meta: pageMeta(pageRequest(args), 0) });
  return orderPage(ctx, { userId }, args);
}

/** Every order; `@requiresScopes` in the SDL keeps this to admins. */
export function listAllOrders(ctx: Context, args: PageArgs & { filter?: OrderFilter | null }): Promise<Page<Order>> {
  const filter = args.filter ?? {};
  const where: OrderWhere = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.userId ? { userId: parseId(filter.userId, 'filter.userId') } : {}),
    createdAt: {
      ...(filter.createdAfter ? { gte: filter.createdAfter } : {}),
      ...(filter.createdBefore ? { lt: filter.createdBefore } : {}),
    },
  };
  return orderPage(ctx, where, args);
}

export async function itemsOf(ctx: Context, order: Order): Promise<OrderItemRecord[]> {
  const items = await ctx.loaders.itemsByOrderId.load(order.id);
  return items.map((item) => ({ ...item, currency: order.currency }));
}
