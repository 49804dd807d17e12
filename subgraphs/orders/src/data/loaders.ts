import DataLoader from 'dataloader';
import { alignById, groupByKey } from '@shop/db';
import type { Order, OrderItem } from '../generated/prisma/client.js';
import type { CatalogClient, ProductSnapshot } from './catalog-client.js';
import type { OrdersPrisma } from './client.js';
import { findItemsOfOrders, findOrdersByIds } from './orders.js';

/** Created per request, so batches and caches never outlive one operation or cross callers. */
export function createLoaders(prisma: OrdersPrisma, catalog: CatalogClient) {
  const knownSnapshots = new Map<string, ProductSnapshot | null>();
  return {
    orderById: new DataLoader<string, Order | null>(async (ids) => alignById(ids, await findOrdersByIds(prisma, ids))),
    itemsByOrderId: new DataLoader<string, OrderItem[]>(async (ids) =>
      groupByKey(ids, await findItemsOfOrders(prisma, ids), (item) => item.orderId),
    ),
    /** Current price and availability of cart products, one catalog call per request. */
    productSnapshot: new DataLoader<string, ProductSnapshot | null>(async (ids) => {
      const snapshots = alignById(ids, await catalog.lookup(ids));
      ids.forEach((id, index) => knownSnapshots.set(id, snapshots[index]!));
      return snapshots;
    }),
    /** What productSnapshot has read so far: a field needing a price read already answers without a promise. */
    knownSnapshots: knownSnapshots as ReadonlyMap<string, ProductSnapshot | null>,
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;
