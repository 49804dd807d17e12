import { describe, expect, it } from '@jest/globals';
import { categoryTag, entityTag, ListTag, listTag, orderTag, productTag, userTag } from '@shop/contracts';

// Cached answers outlive deployments: a renamed tag would leave them unpurgeable.
describe('cache tags', () => {
  it('names an entity Type:id and a list by its type, as cached answers were tagged', () => {
    expect([productTag('p'), categoryTag('c'), orderTag('o'), userTag('u')]).toEqual(['Product:p', 'Category:c', 'Order:o', 'User:u']);
    expect(entityTag('Product', 'p')).toBe(productTag('p'));
    expect(ListTag).toEqual({ products: 'Product', categories: 'Category', orders: 'Order', users: 'User' });
    expect(listTag('Product')).toBe(ListTag.products);
  });
});
