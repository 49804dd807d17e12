import type { OrderItemResolvers } from '../generated/graphql.js';
import { lineTotal, money } from './money.js';

export const OrderItem: OrderItemResolvers = {
  unitPrice: (item) => money(item.unitPrice, item.currency),
  lineTotal: (item) => lineTotal(item.unitPrice, item.quantity, item.currency),
  product: (item) => ({ id: item.productId }),
};
