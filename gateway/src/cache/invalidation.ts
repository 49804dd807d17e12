import { EventTopic, type Change } from '@shop/db';

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The cached responses a change makes stale, by tag (see CacheReport): the entity itself,
 * and the lists whose membership it may alter. `Type` tags lists at the top of a response
 * (all products), `Type@Owner` lists inside an entity (a category's products).
 */
export function tagsInvalidatedBy(change: Change): string[] {
  const { payload } = change;
  switch (change.topic) {
    case EventTopic.PRODUCT_CHANGED:
      return [`Product:${str(payload.productId)}`, 'Product', 'Product@Category'];
    case EventTopic.STOCK_CHANGED: {
      const product = `Product:${str(payload.productId)}`;
      const previous = payload.previousStockQuantity;
      const now = payload.stockQuantity;
      // Lists filter on availability: only a product running out or coming back moves in or out of them.
      const availabilityMayHaveChanged = typeof previous !== 'number' || typeof now !== 'number' || previous > 0 !== now > 0;
      return availabilityMayHaveChanged ? [product, 'Product', 'Product@Category'] : [product];
    }
    case EventTopic.CATEGORY_CHANGED:
      // A move re-parents a subtree: category lists and the products filtered by category change.
      return [`Category:${str(payload.categoryId)}`, 'Category', 'Category@Category', 'Product', 'Product@Category'];
    case EventTopic.ORDER_PLACED:
    case EventTopic.ORDER_CANCELLED:
    case EventTopic.ORDER_STATUS_CHANGED:
      return [`Order:${str(payload.orderId)}`, `User:${str(payload.userId)}`, 'Order'];
    case EventTopic.CART_CHANGED:
      return [`User:${str(payload.userId)}`];
    case EventTopic.USER_CHANGED: {
      const user = str(payload.userId);
      return user ? [`User:${user}`, 'User'] : ['User'];
    }
    default:
      return [];
  }
}

export const tagsInvalidatedByAll = (changes: readonly Change[]) => [...new Set(changes.flatMap(tagsInvalidatedBy))];
