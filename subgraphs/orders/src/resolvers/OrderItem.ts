import { money, multiplyMoney } from '@shop/graphql-kit';
import type { OrderItemResolvers } from '../generated/graphql.js';

export const OrderItem: OrderItemResolvers = {
  unitPrice: (item) => money(item.unitPrice, item.currency),
  lineTotal: (item) => ({ amount: multiplyMoney(item.unitPrice, item.quantity), currency: item.currency }),
  product: (item) => ({ id: item.productId }),
};
