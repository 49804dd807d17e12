import type { Order, OrderItem, Prisma } from '../generated/prisma/client.js';
import type { OrdersPrisma } from './client.js';

export type OrderRecord = Order;
/** An order line with its order's currency (one currency per order). */
export type OrderItemRecord = OrderItem & { currency: string };
export type OrderWhere = Prisma.OrderWhereInput;

const newestFirst: Prisma.OrderOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'asc' }];

export const findOrdersByIds = (prisma: OrdersPrisma, ids: readonly string[]) =>
  prisma.order.findMany({ where: { id: { in: [...ids] } } });

export const findItemsOfOrders = (prisma: OrdersPrisma, orderIds: readonly string[]) =>
  prisma.orderItem.findMany({ where: { orderId: { in: [...orderIds] } }, orderBy: [{ productName: 'asc' }, { id: 'asc' }] });

export async function findOrderPage(prisma: OrdersPrisma, query: { where: OrderWhere; skip: number; take: number }) {
  const [items, totalItems] = await Promise.all([
    prisma.order.findMany({ ...query, orderBy: newestFirst }),
    prisma.order.count({ where: query.where }),
  ]);
  return { items, totalItems };
}
