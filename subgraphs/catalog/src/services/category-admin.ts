import { badUserInput, notFound } from '@shop/errors';
import { parseId } from '@shop/graphql-kit';
import { conflictOnUniqueViolation } from '@shop/db';
import type { CreateCategoryInput, UpdateCategoryInput } from '../generated/graphql.js';
import type { Category, Prisma } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { categoryExists, createCategory as insertCategory, findSubtreeIds, updateCategory as writeCategory, type CategoryTx } from '../data/categories.js';
import * as input from './input.js';

const refuseDuplicates = <T>(write: Promise<T>) => conflictOnUniqueViolation(write, 'A category with this name already exists under this parent');

export async function createCategory(ctx: Context, fields: CreateCategoryInput): Promise<Category> {
  const parentId = fields.parentId == null ? null : parseId(fields.parentId, 'input.parentId');
  if (parentId && !(await categoryExists(ctx.prisma, parentId))) throw notFound('Parent category');
  const data: Prisma.CategoryUncheckedCreateInput = {
    name: input.name(fields.name, 'input.name'),
    description: fields.description == null ? null : input.description(fields.description, 'input.description'),
    parentId,
  };
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
  const data: Prisma.CategoryUncheckedUpdateInput = {};
  if (fields.name !== undefined) data.name = input.name(input.notNull(fields.name, 'input.name'), 'input.name');
  if (fields.description !== undefined) data.description = fields.description === null ? null : input.description(fields.description, 'input.description');
  let check: (tx: CategoryTx) => Promise<void> = async () => undefined;
  if (fields.parentId !== undefined) {
    const parentId = fields.parentId === null ? null : parseId(fields.parentId, 'input.parentId');
    data.parentId = parentId;
    if (parentId) check = parentCheck(categoryId, parentId);
  }
  const category = await refuseDuplicates(writeCategory(ctx.prisma, categoryId, data, check));
  if (!category) throw notFound('Category');
  return category;
}
