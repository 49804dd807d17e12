import { EventTopic } from '@shop/contracts';
import { writeEvent } from '@shop/db';
import type { Prisma } from '../generated/prisma/client.js';

type Tx = Prisma.TransactionClient;

export const productChanged = (tx: Tx, productId: string) => writeEvent(tx, EventTopic.PRODUCT_CHANGED, productId, { productId });

/**
 * `previousStockQuantity` lets a consumer tell a product coming back in stock (it may now
 * belong in lists it was missing from) from one merely selling a unit; null when unknown.
 */
export const stockChanged = (tx: Tx, productId: string, stockQuantity: number, previousStockQuantity: number | null) =>
  writeEvent(tx, EventTopic.STOCK_CHANGED, productId, { productId, stockQuantity, previousStockQuantity });

export const categoryChanged = (tx: Tx, categoryId: string) => writeEvent(tx, EventTopic.CATEGORY_CHANGED, categoryId, { categoryId });
