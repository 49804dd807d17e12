import DataLoader from 'dataloader';
import { MAX_LOOKUP_IDS } from '@shop/contracts';
import { alignById, groupByKey, readThroughLoader, sharedReads } from '@shop/db';
import type { Order, OrderItem } from '../generated/prisma/client.js';
import type { CatalogClient, ProductSnapshot } from './catalog-client.js';
import type { OrdersPrisma } from './client.js';
import { findItemsOfOrders, findOrdersByIds } from './orders.js';

/**
 * Reads that every request of the process shares (docs/adr/0043): the cart products every
 * request of an event-loop turn needs priced go to catalog in one call. Made once, at start.
 */
export function createSharedReads(catalog: CatalogClient) {
  return {
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
    /** Current price and availability of cart products, through the shared lookup; a read one answers at once. */
    productSnapshot: readThroughLoader<ProductSnapshot>(shared.productSnapshots),
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;
