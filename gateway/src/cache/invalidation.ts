import { categoryTag, changeSchema, checked, EventTopic, ListTag, orderTag, productTag, userTag, type Change } from '@shop/contracts';
import type { Logger } from '@shop/logging';

/**
 * The cached responses a change makes stale, by tag (see CacheReport and @shop/contracts'
 * cache tags): the entity itself, and the lists whose membership it may alter.
 */
function tagsInvalidatedBy(change: Change): string[] {
  switch (change.topic) {
    case EventTopic.PRODUCT_CHANGED:
      return [productTag(change.payload.productId), ListTag.products];
    case EventTopic.STOCK_CHANGED: {
      const { productId, stockQuantity, previousStockQuantity } = change.payload;
      // Lists filter on availability: only a product running out or coming back moves in or out of them.
      const availabilityMayHaveChanged = previousStockQuantity === null || previousStockQuantity > 0 !== stockQuantity > 0;
      return availabilityMayHaveChanged ? [productTag(productId), ListTag.products] : [productTag(productId)];
    }
    case EventTopic.CATEGORY_CHANGED:
      // A move re-parents a subtree: category lists and the products filtered by category change.
      return [categoryTag(change.payload.categoryId), ListTag.categories, ListTag.products];
    case EventTopic.ORDER_PLACED:
    case EventTopic.ORDER_CANCELLED:
    case EventTopic.ORDER_STATUS_CHANGED:
    case EventTopic.ORDER_ANONYMISED:
      return [orderTag(change.payload.orderId), userTag(change.payload.userId), ListTag.orders];
    case EventTopic.PASSWORD_RESET_REQUESTED:
      // Nothing any answer shows changed: the request is only a reason to write an email.
      return [];
    case EventTopic.CART_CHANGED:
      return [userTag(change.payload.userId)];
    case EventTopic.USER_DELETED:
      return [userTag(change.payload.userId), ListTag.users];
    case EventTopic.USER_CHANGED: {
      const { userId } = change.payload;
      return userId ? [userTag(userId), ListTag.users] : [ListTag.users];
    }
  }
}

/**
 * The tags to purge for changes reported by subgraphs (in a response or their event feeds),
 * each read with its topic's schema. One this gateway cannot read (an unknown topic, a payload
 * of another shape) purges nothing and is logged: it is a producer's bug or a newer topic.
 */
export function tagsInvalidatedByAll(changes: readonly unknown[], logger: Logger): string[] {
  const tags = new Set<string>();
  for (const reported of changes) {
    const change = checked(changeSchema, reported);
    if (change.ok) tagsInvalidatedBy(change.value).forEach((tag) => tags.add(tag));
    else logger.warn({ change: reported, refusal: change.message }, 'a reported change was not understood; it purges nothing');
  }
  return [...tags];
}
