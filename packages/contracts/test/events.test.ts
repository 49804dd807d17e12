import { describe, expect, it } from '@jest/globals';
import { changeSchema, checked, credentialCheck, EventTopic, eventFeed } from '@shop/contracts';

const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const userId = '00000000-0000-4000-8000-000000000002';

describe('event topics and payloads', () => {
  it.each([
    { topic: EventTopic.PRODUCT_CHANGED, payload: { productId: id } },
    { topic: EventTopic.STOCK_CHANGED, payload: { productId: id, stockQuantity: 0, previousStockQuantity: null } },
    { topic: EventTopic.CATEGORY_CHANGED, payload: { categoryId: id } },
    { topic: EventTopic.ORDER_PLACED, payload: { orderId: id, userId, total: '39.80', currency: 'EUR', productIds: [id] } },
    { topic: EventTopic.ORDER_CANCELLED, payload: { orderId: id, userId, from: 'PENDING', to: 'CANCELLED' } },
    { topic: EventTopic.ORDER_STATUS_CHANGED, payload: { orderId: id, userId, from: 'PAID', to: 'SHIPPED' } },
    { topic: EventTopic.ORDER_ANONYMISED, payload: { orderId: id, userId } },
    { topic: EventTopic.PASSWORD_RESET_REQUESTED, payload: { userId, resetRequestId: id } },
    { topic: EventTopic.USER_DELETED, payload: { userId } },
    { topic: EventTopic.CART_CHANGED, payload: { userId } },
    { topic: EventTopic.USER_CHANGED, payload: { userId: null } },
  ])('reads a $topic event', (change) => {
    expect(checked(changeSchema, change)).toEqual({ ok: true, value: change });
  });

  it.each([
    [{ topic: 'product.changed', payload: { productId: 42 } }, 'payload.productId'],
    [{ topic: 'stock.changed', payload: { productId: id, stockQuantity: -1, previousStockQuantity: 0 } }, 'payload.stockQuantity: Too small'],
    [{ topic: 'stock.changed', payload: { productId: id, stockQuantity: 1 } }, 'payload.previousStockQuantity'],
    [{ topic: 'order.status_changed', payload: { orderId: id, userId, from: 'PAID', to: 'LOST' } }, 'payload.to'],
    [{ topic: 'product.deleted', payload: { productId: id } }, 'topic'],
  ])('refuses a payload that is not its topic\'s, saying which field: %j', (change, message) => {
    const read = checked(changeSchema, change);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.message).toContain(message);
  });
});

describe('the event feed contract', () => {
  it('starts from the beginning, 100 events at a time, unless told otherwise', () => {
    expect(checked(eventFeed.request, {})).toEqual({ ok: true, value: { after: '0', limit: 100 } });
    expect(checked(eventFeed.request, { after: '42', limit: 500 })).toEqual({ ok: true, value: { after: '42', limit: 500 } });
  });

  it('refuses a position that is not a sequence number, and pages past 1000', () => {
    const position = checked(eventFeed.request, { after: '1; DROP TABLE outbox_events' });
    expect(!position.ok && position.message).toContain('after: must be a sequence number');
    expect(checked(eventFeed.request, { limit: 1001 }).ok).toBe(false);
  });

  it('reads a page whose events it leaves for the consumer to read one by one', () => {
    const page = { events: [{ seq: '7', topic: 'a.topic.from.the.future', aggregateId: id, payload: { anything: true }, createdAt: '2026-11-27T12:00:00.000Z' }] };
    expect(checked(eventFeed.answer, page).ok).toBe(true);
    expect(checked(eventFeed.answer, { events: [{ ...page.events[0], seq: 7 }] }).ok).toBe(false);
  });
});

describe('the credential check contract', () => {
  it('takes an access token or an API key, never nothing', () => {
    expect(checked(credentialCheck.request, { apiKey: 'sk_live' })).toEqual({ ok: true, value: { apiKey: 'sk_live' } });
    expect(checked(credentialCheck.request, { accessToken: 'eyJ' }).ok).toBe(true);
    expect(checked(credentialCheck.request, {}).ok).toBe(false);
    expect(checked(credentialCheck.request, { apiKey: '' }).ok).toBe(false);
  });
});
