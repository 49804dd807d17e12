import { startSerialJob, type SerialJob } from '@shop/db';
import type { Logger } from '@shop/logging';
import type { OrdersPrisma } from '../data/client.js';
import { findUnfinishedOrders } from '../data/orders.js';
import type { Placement } from './placement.js';

export interface RecoveryOptions {
  intervalMs: number;
  /** A RESERVING order older than this lost its request (a crash, a timeout): finish it. */
  staleAfterMs: number;
}

export const defaultRecovery: RecoveryOptions = { intervalMs: 2_000, staleAfterMs: 15_000 };

/**
 * The saga's safety net: orders left half-way by a crash of either subgraph are driven to
 * an end (confirmed with their stock, or undone), and cancelled orders get their stock back.
 */
export function startOrderRecovery(
  { prisma, placement, logger }: { prisma: OrdersPrisma; placement: Placement; logger: Logger },
  options: RecoveryOptions,
): SerialJob {
  return startSerialJob({
    name: 'order recovery',
    intervalMs: options.intervalMs,
    logger,
    run: async () => {
      const orders = await findUnfinishedOrders(prisma, new Date(Date.now() - options.staleAfterMs), 50);
      for (const order of orders) {
        try {
          if (order.stockState === 'RELEASING') await placement.returnStock(order.id);
          else await placement.settle(order);
        } catch (error) {
          logger.info({ orderId: order.id, reason: (error as Error).message }, 'unfinished order not settled this round');
        }
      }
    },
  });
}
