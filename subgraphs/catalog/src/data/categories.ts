import { Prisma, type Category } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';
import { categoryChanged } from './events.js';

/** A product's category and its parent are read one by one (docs/adr/0038: raw, one indexed statement each). */
export const findCategoriesByIds = (prisma: CatalogPrisma, ids: readonly string[]) =>
  prisma.$readRows<Category[]>(Prisma.sql`
    SELECT id, name, description, parent_id AS "parentId", created_at AS "createdAt", updated_at AS "updatedAt"
    FROM categories WHERE id = ANY(${[...ids]}::uuid[])`);

export const findChildrenOf = (prisma: CatalogPrisma, parentIds: readonly string[]) =>
  prisma.category.findMany({ where: { parentId: { in: [...parentIds] } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });

export const findAllCategories = (prisma: CatalogPrisma): Promise<Category[]> =>
  prisma.category.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });

type Tx = Prisma.TransactionClient;

/** The category and every category below it, in one recursive query. */
export async function findSubtreeIds(prisma: CatalogPrisma | Tx, rootId: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE subtree AS (
      SELECT id FROM categories WHERE id = ${rootId}::uuid
      UNION
      SELECT child.id FROM categories child JOIN subtree ON child.parent_id = subtree.id
    )
    SELECT id::text AS id FROM subtree`;
  return rows.map((row) => row.id);
}

export const categoryExists = async (prisma: CatalogPrisma | Tx, id: string) => (await prisma.category.count({ where: { id } })) > 0;

/** One writer of the tree at a time, so two moves cannot build a cycle between them. */
const TREE_LOCK = 72_707_371;
const lockTree = (tx: Tx) => tx.$executeRaw`SELECT pg_advisory_xact_lock(${TREE_LOCK})`;

export const createCategory = (prisma: CatalogPrisma, data: Prisma.CategoryUncheckedCreateInput) =>
  prisma.$transaction(async (tx) => {
    await lockTree(tx);
    const category = await tx.category.create({ data });
    await categoryChanged(tx, category.id);
    return category;
  });

/**
 * Changes a category under the tree lock; `check` runs first, inside the transaction, and
 * may refuse (a cycle, an unknown parent). Null when the category does not exist.
 */
export const updateCategory = (
  prisma: CatalogPrisma,
  id: string,
  data: Prisma.CategoryUncheckedUpdateInput,
  check: (tx: Tx) => Promise<void>,
) =>
  prisma.$transaction(async (tx) => {
    await lockTree(tx);
    if (!(await categoryExists(tx, id))) return null;
    await check(tx);
    const category = await tx.category.update({ where: { id }, data });
    await categoryChanged(tx, id);
    return category;
  });

export type CategoryTx = Tx;
