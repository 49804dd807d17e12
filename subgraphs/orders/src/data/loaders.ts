import DataLoader from 'dataloader';
import { MAX_LOOKUP_IDS } from '@shop/contracts';
import { alignById, groupByKey, readThroughLoader, sharedReads } from '@shop/db';
import type { Order, OrderItem } from '../generated/prisma/client.js';
import { findCartsOfUsers, type CartRecord } from './carts.js';
import type { CatalogClient, ProductSnapshot } from './catalog-client.js';
import type { OrdersPrisma } from './client.js';
import { findItemsOfOrders, findOrderPagesOfUsers, findOrdersByIds, type UserOrdersAsk } from './orders.js';

type OrderPageRead = Awaited<ReturnType<typeof findOrderPagesOfUsers>>[number];

/** A shared read's key for a page of a user's orders: the ask's fields, in a fixed order. */
const keyOfAsk = (ask: UserOrdersAsk) => JSON.stringify([ask.userId, ask.status, ask.take, ask.skip, ask.withItems]);

function askOfKey(key: string): UserOrdersAsk {
  const [userId, status, take, skip, withItems] = JSON.parse(key) as [string, UserOrdersAsk['status'], number, number, boolean];
  return { userId, status, take, skip, withItems };
}

/**
 * Reads that every request of the process shares (docs/adr/0043): the carts and the pages of
 * users' orders every request of an event-loop turn reads go to the database in one statement
 * each, and the products they need priced to catalog in one call. Made once, at start.
 */
export function createSharedReads(prisma: OrdersPrisma, catalog: CatalogClient) {
  return {
    carts: sharedReads<CartRecord>((userIds) => findCartsOfUsers(prisma, userIds), { rowsOf: (cart) => cart.items.length }),
    userOrderPages: sharedReads<OrderPageRead>((keys) => findOrderPagesOfUsers(prisma, keys.map(askOfKey)), { rowsOf: (page) => page.items.length }),
    productSnapshots: sharedReads<ProductSnapshot>(async (ids) => alignById(ids, await catalog.lookup(ids)), { maxKeysPerBatch: MAX_LOOKUP_IDS }),
  };
}

export type OrdersSharedReads = ReturnType<typeof createSharedReads>;

/** Created per request, so batches and caches never outlive one operation or cross callers. */
export function createLoaders(prisma: OrdersPrisma, shared: OrdersSharedReads) {
  return {
    orderById: new DataLoader<string, Order | null>(async (ids) => alignById(ids, await findOrdersByIds(prisma, ids))),
    itemsByOrderId: new DataLoader<string, OrderItem[]>(async (ids) =>
      groupByKey(ids, await findItemsOfOrders(prisma, ids), (item) => item.orderId),
    ),
    /** A user's cart by their id (lower-case), through the shared read. */
    cartOfUser: new DataLoader<string, CartRecord | null>(shared.carts),
    /** A page of a user's orders, through the shared read. */
    userOrders: new DataLoader<UserOrdersAsk, OrderPageRead | null, string>((asks) => shared.userOrderPages(asks.map(keyOfAsk)), { cacheKeyFn: keyOfAsk }),
    /** Current price and availability of cart products, through the shared lookup; a read one answers at once. */
    productSnapshot: readThroughLoader<ProductSnapshot>(shared.productSnapshots),
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;
