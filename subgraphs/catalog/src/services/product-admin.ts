import { notFound } from '@shop/errors';
import { parseId } from '@shop/graphql-kit';
import type { CreateProductInput, UpdateProductInput } from '../generated/graphql.js';
import type { Prisma, Product } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { categoryExists } from '../data/categories.js';
import { createProduct as insertProduct, productExists, softDeleteProduct, updateProduct as writeProduct } from '../data/products.js';
import * as input from './input.js';

/** Categories are never deleted, so one that exists now still exists when the write commits. */
async function existingCategoryId(ctx: Context, id: string, field: string): Promise<string> {
  const categoryId = parseId(id, field);
  if (!(await categoryExists(ctx.prisma, categoryId))) throw notFound('Category');
  return categoryId;
}

export async function createProduct(ctx: Context, fields: CreateProductInput): Promise<Product> {
  const data: Prisma.ProductUncheckedCreateInput = {
    name: input.name(fields.name, 'input.name'),
    brand: input.name(fields.brand, 'input.brand'),
    description: fields.description == null ? '' : input.description(fields.description, 'input.description'),
    price: input.price(fields.price, 'input.price'),
    currency: fields.currency == null ? 'USD' : input.currency(fields.currency, 'input.currency'),
    stockQuantity: fields.stockQuantity == null ? 0 : input.stockQuantity(fields.stockQuantity, 'input.stockQuantity'),
    imageUrl: fields.imageUrl == null ? null : input.imageUrl(fields.imageUrl, 'input.imageUrl'),
    isActive: fields.isActive ?? true,
    categoryId: fields.categoryId == null ? null : await existingCategoryId(ctx, fields.categoryId, 'input.categoryId'),
  };
  return insertProduct(ctx.prisma, data);
}

/** Fields left out stay as they are; `description`, `imageUrl` and `categoryId` may be cleared with null. */
export async function updateProduct(ctx: Context, id: string, fields: UpdateProductInput): Promise<Product> {
  const productId = parseId(id);
  const data: Prisma.ProductUncheckedUpdateInput = {};
  if (fields.name !== undefined) data.name = input.name(input.notNull(fields.name, 'input.name'), 'input.name');
  if (fields.brand !== undefined) data.brand = input.name(input.notNull(fields.brand, 'input.brand'), 'input.brand');
  if (fields.description !== undefined) data.description = fields.description === null ? '' : input.description(fields.description, 'input.description');
  if (fields.price !== undefined) data.price = input.price(input.notNull(fields.price, 'input.price'), 'input.price');
  if (fields.currency !== undefined) data.currency = input.currency(input.notNull(fields.currency, 'input.currency'), 'input.currency');
  if (fields.stockQuantity !== undefined) {
    data.stockQuantity = input.stockQuantity(input.notNull(fields.stockQuantity, 'input.stockQuantity'), 'input.stockQuantity');
  }
  if (fields.imageUrl !== undefined) data.imageUrl = fields.imageUrl === null ? null : input.imageUrl(fields.imageUrl, 'input.imageUrl');
  if (fields.isActive !== undefined) data.isActive = input.notNull(fields.isActive, 'input.isActive');
  if (fields.categoryId !== undefined) {
    data.categoryId = fields.categoryId === null ? null : await existingCategoryId(ctx, fields.categoryId, 'input.categoryId');
  }
  const product = await writeProduct(ctx.prisma, productId, data);
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
