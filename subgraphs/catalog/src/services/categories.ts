import { isId, parseId } from '@shop/graphql-kit';
import type { Category } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { findAllCategories } from '../data/categories.js';

/** Every category, roots first, then each level below, by name within a level. */
export async function listCategories(ctx: Context): Promise<Category[]> {
  const categories = await findAllCategories(ctx.prisma);
  const byId = new Map(categories.map((category) => [category.id, category]));
  const depthCache = new Map<string, number>();
  const depthOf = (category: Category): number => {
    const cached = depthCache.get(category.id);
    if (cached !== undefined) return cached;
    const parent = category.parentId ? byId.get(category.parentId) : undefined;
    const depth = parent ? depthOf(parent) + 1 : 0;
    depthCache.set(category.id, depth);
    return depth;
  };
  categories.forEach((category) => ctx.loaders.categoryById.prime(category.id, category));
  return categories
    .map((category, position) => ({ category, position, depth: depthOf(category) }))
    .sort((a, b) => a.depth - b.depth || a.position - b.position)
    .map(({ category }) => category);
}

export const getCategory = (ctx: Context, id: string) => ctx.loaders.categoryById.load(parseId(id));

export const getCategoryReference = (ctx: Context, id: string) =>
  isId(id) ? ctx.loaders.categoryById.load(id.toLowerCase()) : null;

export const childrenOf = (ctx: Context, category: Category) => ctx.loaders.childrenByParentId.load(category.id);

export const parentOf = (ctx: Context, category: Category) =>
  category.parentId ? ctx.loaders.categoryById.load(category.parentId) : null;
