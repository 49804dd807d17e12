import { describe, expect, it } from '@jest/globals';
import { categoryTag, entityTag, ListTag, listTag, orderTag, productTag, splitReportedAnswer, userTag } from '@shop/contracts';

// Cached answers outlive deployments: a renamed tag would leave them unpurgeable.
describe('cache tags', () => {
  it('names an entity Type:id and a list by its type, as cached answers were tagged', () => {
    expect([productTag('p'), categoryTag('c'), orderTag('o'), userTag('u')]).toEqual(['Product:p', 'Category:c', 'Order:o', 'User:u']);
    expect(entityTag('Product', 'p')).toBe(productTag('p'));
    expect(ListTag).toEqual({ products: 'Product', categories: 'Category', orders: 'Order', users: 'User' });
    expect(listTag('Product')).toBe(ListTag.products);
  });
});

describe('an answer split without parsing its data', () => {
  const report = { tags: ['Product:p'], changes: [] };
  const answer = (data: unknown, extensions: unknown = { cacheReport: report }) => `${JSON.stringify({ data, extensions })}\n`;

  it('gives the data as it came and the report, wherever the data holds the same words', () => {
    const data = { name: '","extensions":{"cacheReport":{"tags":[]', extensions: { cacheReport: { tags: [], changes: [] } } };
    const split = splitReportedAnswer(answer(data));
    expect(split).toEqual({ data: JSON.stringify(data), report });
    expect(JSON.parse(split!.data)).toEqual(data);
    expect(splitReportedAnswer(answer(data).trimEnd())).toEqual(split);
  });

  it('refuses an answer with errors, without a report, or with other extensions', () => {
    expect(splitReportedAnswer(`${JSON.stringify({ errors: [{ message: 'no' }], data: null, extensions: { cacheReport: report } })}\n`)).toBeNull();
    expect(splitReportedAnswer(`${JSON.stringify({ data: { a: 1 } })}\n`)).toBeNull();
    expect(splitReportedAnswer(answer({ a: 1 }, { other: 1, cacheReport: report }))).toBeNull();
    expect(splitReportedAnswer(answer({ a: 1 }, { cacheReport: report, other: 1 }))).toBeNull();
    expect(splitReportedAnswer(answer({ a: 1 }, { cacheReport: { tags: [1], changes: [] } }))).toBeNull();
    expect(splitReportedAnswer('{"data":')).toBeNull();
  });
});
