import { randomUUID } from 'node:crypto';
import type { OrdersPrisma } from '../src/data/client.js';
import { createLoaders, createSharedReads } from '../src/data/loaders.js';
import { fakeCatalog } from './fake-catalog.js';

/** A cart line as the carts statement reads it, with its owner. */
const line = (userId: string, productId = randomUUID()) => ({
  userId,
  id: randomUUID(),
  cartId: randomUUID(),
  productId,
  quantity: 1,
  createdAt: new Date(),
  updatedAt: new Date(),
});

/** Shared reads and per-request loaders on a client that only answers raw reads with these rows, counting them. */
function readsOver(rows: Array<ReturnType<typeof line>>) {
  const statements: unknown[] = [];
  const prisma = {
    $readRows: async (...query: unknown[]) => {
      statements.push(query);
      return rows;
    },
  } as unknown as OrdersPrisma;
  const shared = createSharedReads(prisma, fakeCatalog().client);
  return { newRequest: () => createLoaders(prisma, shared), statements };
}

describe('orders loaders', () => {
  it("read the carts that requests ask for in the same turn in one statement, each request its own user's lines, none without a cart", async () => {
    const [shopper, other, withoutCart] = [randomUUID(), randomUUID(), randomUUID()];
    const rows = [line(shopper), line(other), line(shopper)];
    const { newRequest, statements } = readsOver(rows);

    const [first, second, third] = await Promise.all([newRequest(), newRequest(), newRequest()].map((loaders, index) => loaders.cartOfUser.load([shopper, other, withoutCart][index]!)));

    expect(statements).toHaveLength(1);
    expect(first!.items.map((item) => item.id)).toEqual([rows[0]!.id, rows[2]!.id]);
    expect(first!.items[0]).not.toHaveProperty('userId');
    expect(second).toEqual({ userId: other, items: [expect.objectContaining({ id: rows[1]!.id })] });
    expect(third).toEqual({ userId: withoutCart, items: [] });
  });
});
