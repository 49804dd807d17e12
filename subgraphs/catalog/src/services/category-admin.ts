import { badUserInput, notFound } from '@shop/errors';
import { parseId, parseInput } from '@shop/graphql-kit';
import { conflictOnUniqueViolation } from '@shop/db';
import type { CreateCategoryInput, UpdateCategoryInput } from '../generated/graphql.js';
import type { Category } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { categoryExists, createCategory as insertCategory, findSubtreeIds, updateCategory as writeCategory, type CategoryTx } from '../data/categories.js';
import * as input from './input.js';

const refuseDuplicates = <T>(write: Promise<T>) => conflictOnUniqueViolation(write, 'A category with this name already exists under this parent');

export async function createCategory(ctx: Context, fields: CreateCategoryInput): Promise<Category> {
  const data = parseInput(input.createCategoryInput, fields);
  if (data.parentId && !(await categoryExists(ctx.prisma, data.parentId))) throw notFound('Parent category');
  return refuseDuplicates(insertCategory(ctx.prisma, data));
}

/** A new parent must exist and must not be the category itself or below it: the tree stays a tree. */
const parentCheck = (id: string, parentId: string) => async (tx: CategoryTx) => {
  if (!(await categoryExists(tx, parentId))) throw notFound('Parent category');
  if ((await findSubtreeIds(tx, id)).includes(parentId)) {
    throw badUserInput('input.parentId is the category itself or one of its descendants: the tree would have a cycle', 'input.parentId');
  }
};

/** Fields left out stay as they are; `parentId: null` makes the category a root, `description: null` clears it. */
export async function updateCategory(ctx: Context, id: string, fields: UpdateCategoryInput): Promise<Category> {
  const categoryId = parseId(id);
  const data = parseInput(input.updateCategoryInput, fields);
  const check = data.parentId ? parentCheck(categoryId, data.parentId) : async () => undefined;
  const category = await refuseDuplicates(writeCategory(ctx.prisma, categoryId, data, check));
  if (!category) throw notFound('Category');
  return category;
}
