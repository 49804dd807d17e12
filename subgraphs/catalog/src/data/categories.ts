import type { Category } from '../generated/prisma/client.js';
import type { CatalogPrisma } from './client.js';

export const findCategoriesByIds = (prisma: CatalogPrisma, ids: readonly string[]) =>
  prisma.category.findMany({ where: { id: { in: [...ids] } } });

export const findChildrenOf = (prisma: CatalogPrisma, parentIds: readonly string[]) =>
  prisma.category.findMany({ where: { parentId: { in: [...parentIds] } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });

export const findAllCategories = (prisma: CatalogPrisma): Promise<Category[]> =>
  prisma.category.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });

/** The category and every category below it, in one recursive query. */
export async function findSubtreeIds(prisma: CatalogPrisma, rootId: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE subtree AS (
      SELECT id FROM categories WHERE id = ${rootId}::uuid
      UNION
      SELECT child.id FROM categories child JOIN subtree ON child.parent_id = subtree.id
    )
    SELECT id::text AS id FROM subtree`;
  return rows.map((row) => row.id);
}
