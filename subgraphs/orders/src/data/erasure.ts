import { EventTopic } from '@shop/contracts';
import { writeEvent } from '@shop/db';
import { Prisma } from '../generated/prisma/client.js';
import type { OrdersPrisma } from './client.js';

type Tx = Prisma.TransactionClient;

/**
 * Orders a buyer's erasure with the confirmations of the buyer's orders (docs/adr/0035): the
 * erasure holds the buyer alone, a confirmation with others. Whichever comes second sees what
 * the first did: an erasure sees the confirmed order, a confirmation sees the buyer erased.
 */
export async function holdBuyer(tx: Tx, userId: string, purpose: 'erase' | 'confirm'): Promise<void> {
  const lock = purpose === 'erase' ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  await tx.$queryRawUnsafe(`SELECT 1 AS held FROM ${lock}(hashtextextended($1, 0))`, `buyer:${userId}`);
}

/** Whether the buyer's account was deleted (as far as this subgraph has learned). */
export const isErasedBuyer = async (tx: Tx, userId: string): Promise<boolean> => (await tx.erasedBuyer.count({ where: { userId } })) > 0;

/** What an order keeps of a buyer whose account was deleted: no shipping address. */
export const erasedFields = (now: Date) => ({ shippingAddress: Prisma.DbNull, anonymisedAt: now });

/**
 * Erases what the orders of a deleted account hold of its person, once: the buyer is recorded
 * as erased, each order not yet anonymised loses its shipping address (the order, its lines and
 * totals stay for the books) with an `order.anonymised` event for the caches, and the cart goes.
 * Doing it again changes nothing and writes no event. Returns the orders it anonymised.
 */
export const eraseBuyer = (prisma: OrdersPrisma, userId: string, now: Date) =>
  prisma.$transaction(async (tx) => {
    await holdBuyer(tx, userId, 'erase');
    await tx.erasedBuyer.createMany({ data: [{ userId, erasedAt: now }], skipDuplicates: true });
    const anonymised = await tx.order.updateManyAndReturn({ where: { userId, anonymisedAt: null }, data: erasedFields(now), select: { id: true } });
    for (const { id } of anonymised) await writeEvent(tx, EventTopic.ORDER_ANONYMISED, id, { orderId: id, userId });
    await tx.cart.deleteMany({ where: { userId } });
    return anonymised.map(({ id }) => id);
  });
