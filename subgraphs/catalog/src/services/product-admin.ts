import { notFound } from '@shop/errors';
import { parseId, parseInput } from '@shop/graphql-kit';
import type { CreateProductInput, UpdateProductInput } from '../generated/graphql.js';
import type { Product } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { categoryExists } from '../data/categories.js';
import { createProduct as insertProduct, productExists, softDeleteProduct, updateProduct as writeProduct } from '../data/products.js';
import * as input from './input.js';
import { actorOf } from './ledger.js';

/** Categories are never deleted, so one that exists now still exists when the write commits. */
async function refuseUnknownCategory(ctx: Context, categoryId: string | null | undefined): Promise<void> {
  if (categoryId && !(await categoryExists(ctx.prisma, categoryId))) throw notFound('Category');
}

export async function createProduct(ctx: Context, fields: CreateProductInput): Promise<Product> {
  const data = parseInput(input.createProductInput, fields);
  await refuseUnknownCategory(ctx, data.categoryId);
  return insertProduct(ctx.prisma, data, actorOf(ctx.viewer));
}

/** Fields left out stay as they are; `description`, `imageUrl` and `categoryId` may be cleared with null. */
export async function updateProduct(ctx: Context, id: string, fields: UpdateProductInput): Promise<Product> {
  const productId = parseId(id);
  const data = parseInput(input.updateProductInput, fields);
  await refuseUnknownCategory(ctx, data.categoryId);
  const product = await writeProduct(ctx.prisma, productId, data, actorOf(ctx.viewer));
  if (!product) throw notFound('Product');
  return product;
}

/** Deleting twice is not an error (the product is gone either way); an id that never existed is. */
export async function deleteProduct(ctx: Context, id: string): Promise<boolean> {
  const productId = parseId(id);
  if (await softDeleteProduct(ctx.prisma, productId, new Date())) return true;
  if (!(await productExists(ctx.prisma, productId))) throw notFound('Product');
  return true;
}
