import { EventTopic } from '@shop/db';
import type { Prisma } from '../generated/prisma/client.js';

type Tx = Prisma.TransactionClient;

// Outbox rows, written inside the transaction of the change they describe (docs/adr/0006).

export const productChanged = (tx: Tx, productId: string) =>
  tx.outboxEvent.create({ data: { topic: EventTopic.PRODUCT_CHANGED, aggregateId: productId, payload: { productId } } });

export const stockChanged = (tx: Tx, productId: string, stockQuantity: number) =>
  tx.outboxEvent.create({ data: { topic: EventTopic.STOCK_CHANGED, aggregateId: productId, payload: { productId, stockQuantity } } });

export const categoryChanged = (tx: Tx, categoryId: string) =>
  tx.outboxEvent.create({ data: { topic: EventTopic.CATEGORY_CHANGED, aggregateId: categoryId, payload: { categoryId } } });
