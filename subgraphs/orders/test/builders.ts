import { randomUUID } from 'node:crypto';
import type { OrdersPrisma } from '../src/data/client.js';
import type { Prisma } from '../src/generated/prisma/client.js';

export interface OrderLine {
  productId: string;
  quantity: number;
  unitPrice: string;
  productName?: string;
}

/** Small builders: each test makes the orders it reads, for the users and products it made. */
export function orderBuilders(prisma: OrdersPrisma) {
  return {
    /** An order as placeOrder records it, with its total computed from its lines. */
    order: (userId: string, lines: OrderLine[], data: Partial<Prisma.OrderUncheckedCreateInput> = {}) => {
      const totalCents = lines.reduce((sum, line) => sum + Math.round(Number(line.unitPrice) * 100) * line.quantity, 0);
      return prisma.order.create({
        data: {
          userId,
          total: (totalCents / 100).toFixed(2),
          currency: 'USD',
          idempotencyKey: randomUUID(),
          requestHash: 'built-by-a-test',
          // Confirmed, as clients see orders; a RESERVING one is still being placed.
          stockState: 'RESERVED',
          ...data,
          items: {
            create: lines.map((line) => ({
              productId: line.productId,
              productName: line.productName ?? 'A product',
              quantity: line.quantity,
              unitPrice: line.unitPrice,
            })),
          },
        },
      });
    },
    /** A line in the user's cart (creating the cart if need be). */
    cartLine: (userId: string, productId: string, quantity = 1) =>
      prisma.cartItem.create({
        data: { quantity, productId, cart: { connectOrCreate: { where: { userId }, create: { userId } } } },
      }),
  };
}

export type OrderBuilders = ReturnType<typeof orderBuilders>;
