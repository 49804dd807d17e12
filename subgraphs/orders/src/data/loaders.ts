import DataLoader from 'dataloader';
import { alignById, groupByKey, readThroughLoader } from '@shop/db';
import type { Order, OrderItem } from '../generated/prisma/client.js';
import type { CatalogClient, ProductSnapshot } from './catalog-client.js';
import type { OrdersPrisma } from './client.js';
import { findItemsOfOrders, findOrdersByIds } from './orders.js';

/** Created per request, so batches and caches never outlive one operation or cross callers. */
export function createLoaders(prisma: OrdersPrisma, catalog: CatalogClient) {
  return {
    orderById: new DataLoader<string, Order | null>(async (ids) => alignById(ids, await findOrdersByIds(prisma, ids))),
    itemsByOrderId: new DataLoader<string, OrderItem[]>(async (ids) =>
      groupByKey(ids, await findItemsOfOrders(prisma, ids), (item) => item.orderId),
    ),
    /** Current price and availability of cart products, one catalog call per request; a read one answers at once. */
    productSnapshot: readThroughLoader<ProductSnapshot>(async (ids) => alignById(ids, await catalog.lookup(ids))),
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;
