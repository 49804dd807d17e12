import { randomUUID } from 'node:crypto';
import type { Category } from '../src/generated/prisma/client.js';
import type { CatalogPrisma } from '../src/data/client.js';
import { createLoaders, createSharedReads } from '../src/data/loaders.js';

const category = (name: string): Category => ({ id: randomUUID(), name, description: null, parentId: null, createdAt: new Date(), updatedAt: new Date() });

/** The per-request loaders on a client that only answers raw reads, counting them. */
function loadersOver(rows: Category[]) {
  const statements: unknown[] = [];
  const prisma = {
    $readRows: async (...query: unknown[]) => {
      statements.push(query);
      return rows;
    },
  } as unknown as CatalogPrisma;
  return { loaders: createLoaders(prisma, createSharedReads(prisma)), statements, prisma };
}

describe('catalog loaders', () => {
  it('answer a primed category at once, without a statement, and keep the first one primed', async () => {
    const { loaders, statements } = loadersOver([]);
    const lighting = category('Lighting');
    loaders.categoryById.prime(lighting.id, lighting);
    loaders.categoryById.prime(lighting.id, { ...lighting, name: 'Later' });
    expect(loaders.categoryById.load(lighting.id)).toBe(lighting);
    await new Promise((resolve) => setImmediate(resolve));
    expect(statements).toHaveLength(0);
  });

  it('read what was not primed in one batched statement, null for an unknown id', async () => {
    const home = category('Home');
    const garden = category('Garden');
    const { loaders, statements } = loadersOver([home, garden]);
    const unknown = randomUUID();
    const loaded = await Promise.all([home.id, garden.id, unknown].map((id) => loaders.categoryById.load(id)));
    expect(loaded).toEqual([home, garden, null]);
    expect(statements).toHaveLength(1);
  });

  it("share one statement between two requests' loaders asking in the same turn", async () => {
    const home = category('Home');
    const { statements, prisma } = loadersOver([home]);
    const shared = createSharedReads(prisma);
    const [first, second] = [createLoaders(prisma, shared), createLoaders(prisma, shared)];
    expect(await Promise.all([first.categoryById.load(home.id), second.categoryById.load(home.id)])).toEqual([home, home]);
    expect(statements).toHaveLength(1);
  });
});
