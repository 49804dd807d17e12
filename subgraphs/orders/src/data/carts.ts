import { EventTopic } from '@shop/contracts';
import { groupByKey, noteChange, retryingUniqueRace } from '@shop/db';
import { Prisma, type CartItem } from '../generated/prisma/client.js';
import type { OrdersPrisma } from './client.js';

// A cart is its owner's business only: nothing else listens, so its changes are noted for
// the request (the gateway's cache) and not written to the outbox.
const cartChanged = (userId: string) => noteChange({ topic: EventTopic.CART_CHANGED, payload: { userId } });

/** A cart as the schema shows it: its lines (an empty list for a user with no cart yet). */
export interface CartRecord {
  userId: string;
  items: CartItem[];
}

/**
 * The carts of these users in one statement (docs/adr/0038), each user's lines in the order
 * they were added; no cart reads as no lines. Ids must be valid and lower-case (parseId).
 */
export async function findCartsOfUsers(prisma: OrdersPrisma, userIds: readonly string[]): Promise<CartRecord[]> {
  const rows = await prisma.$readRows<Array<CartItem & { userId: string }>>(Prisma.sql`
    SELECT c.user_id AS "userId", i.id, i.cart_id AS "cartId", i.product_id AS "productId", i.quantity, i.created_at AS "createdAt", i.updated_at AS "updatedAt"
    FROM cart_items i JOIN carts c ON c.id = i.cart_id
    WHERE c.user_id = ANY(${[...userIds]}::uuid[])
    ORDER BY i.created_at ASC, i.id ASC`);
  const linesOf = groupByKey(userIds, rows, (row) => row.userId);
  return userIds.map((userId, index) => ({ userId, items: linesOf[index]!.map(({ userId: _owner, ...item }) => item) }));
}

export const findCart = async (prisma: OrdersPrisma, userId: string): Promise<CartRecord> => (await findCartsOfUsers(prisma, [userId]))[0]!;

/** Sets a line's quantity, creating the cart and the line as needed. */
export function upsertCartLine(prisma: OrdersPrisma, userId: string, productId: string, quantity: number) {
  cartChanged(userId);
  return retryingUniqueRace(() =>
    prisma.$transaction(async (tx) => {
      const cart = await tx.cart.upsert({ where: { userId }, create: { userId }, update: {} });
      await tx.cartItem.upsert({
        where: { cartId_productId: { cartId: cart.id, productId } },
        create: { cartId: cart.id, productId, quantity },
        update: { quantity },
      });
    }),
  );
}

export function deleteCartLines(prisma: OrdersPrisma, userId: string, productIds: readonly string[]) {
  cartChanged(userId);
  return prisma.cartItem.deleteMany({ where: { cart: { userId }, productId: { in: [...productIds] } } });
}

/** Adds units to a line atomically (concurrent adds both count); null when past `maxQuantity`. */
export function addToCartLine(prisma: OrdersPrisma, userId: string, productId: string, quantity: number, maxQuantity: number) {
  cartChanged(userId);
  return retryingUniqueRace(() =>
    prisma.$transaction(async (tx) => {
      const cart = await tx.cart.upsert({ where: { userId }, create: { userId }, update: {} });
      const line = await tx.cartItem.upsert({
        where: { cartId_productId: { cartId: cart.id, productId } },
        create: { cartId: cart.id, productId, quantity },
        update: { quantity: { increment: quantity } },
      });
      if (line.quantity > maxQuantity) throw new CartLineTooLarge();
      return line;
    }),
  ).catch((error: unknown) => {
      if (error instanceof CartLineTooLarge) return null;
      throw error;
    });
}

class CartLineTooLarge extends Error {}
