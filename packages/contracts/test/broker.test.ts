import { describe, expect, it } from '@jest/globals';
import { decodeBrokerEvent, defaultBrokerNames, encodeBrokerEvent, EventTopic, eventSubject, outboxPublishers, streamSubjects, type BrokerEventDraft } from '@shop/contracts';

const productId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const event: BrokerEventDraft = {
  version: 1,
  id: '0b6a4b54-8f0e-4a4e-9d4c-5d1f4b0f7a11',
  source: 'catalog',
  seq: '42',
  aggregateId: productId,
  createdAt: '2026-11-27T20:00:00.000Z',
  change: { topic: EventTopic.STOCK_CHANGED, payload: { productId, stockQuantity: 3, previousStockQuantity: 0 } },
};

describe('the broker contract', () => {
  it('names one subject per outbox topic, under the topic\'s one publisher, and the stream takes exactly those', () => {
    expect(eventSubject(defaultBrokerNames, EventTopic.STOCK_CHANGED)).toBe('shop.catalog.stock.changed');
    expect(eventSubject(defaultBrokerNames, EventTopic.ORDER_PLACED)).toBe('shop.orders.order.placed');
    expect(eventSubject({ stream: 'TEST', subjectPrefix: 'test_1' }, EventTopic.ORDER_STATUS_CHANGED)).toBe('test_1.orders.order.status_changed');
    const topics = Object.values(outboxPublishers).flat();
    expect(new Set(topics).size).toBe(topics.length);
    expect(streamSubjects(defaultBrokerNames)).toEqual([
      'shop.catalog.product.changed',
      'shop.catalog.stock.changed',
      'shop.catalog.category.changed',
      'shop.orders.order.placed',
      'shop.orders.order.cancelled',
      'shop.orders.order.status_changed',
      'shop.orders.order.anonymised',
      'shop.users.password_reset.requested',
      'shop.users.user.deleted',
    ]);
  });

  it('publishes an event on its topic\'s subject, its id as the message id, and reads it back as it was sent', () => {
    const message = encodeBrokerEvent(defaultBrokerNames, event);
    expect(message.ok && { subject: message.value.subject, messageId: message.value.messageId }).toEqual({
      subject: 'shop.catalog.stock.changed',
      messageId: event.id,
    });
    const read = message.ok && decodeBrokerEvent(defaultBrokerNames, message.value.subject, message.value.data);
    expect(read).toEqual({ ok: true, value: event });
  });

  it.each([
    [{ ...event, change: { topic: EventTopic.STOCK_CHANGED, payload: { productId, stockQuantity: -1, previousStockQuantity: 0 } } }, 'change.payload.stockQuantity'],
    [{ ...event, change: { topic: EventTopic.CART_CHANGED, payload: { userId: productId } } }, 'change.topic: topic is not one its source publishes'],
    [{ ...event, source: 'orders' as const }, 'change.topic: topic is not one its source publishes'],
    [{ ...event, id: '42' }, 'id'],
    [{ ...event, version: 2 as never }, 'version'],
  ])('refuses to publish an event that breaks the contract, naming the field: %#', (draft, problem) => {
    const message = encodeBrokerEvent(defaultBrokerNames, draft);
    expect(message.ok).toBe(false);
    expect(!message.ok && message.message).toContain(problem);
  });

  it('refuses a message that is not JSON, breaks the contract, or arrived on another topic\'s subject', () => {
    const { data } = (encodeBrokerEvent(defaultBrokerNames, event) as { ok: true; value: { data: string } }).value;
    expect(decodeBrokerEvent(defaultBrokerNames, 'shop.catalog.stock.changed', '{')).toEqual({ ok: false, message: 'body is not JSON' });
    expect(decodeBrokerEvent(defaultBrokerNames, 'shop.catalog.stock.changed', JSON.stringify({ ...event, seq: 'first' }))).toMatchObject({ ok: false });
    expect(decodeBrokerEvent(defaultBrokerNames, 'shop.catalog.product.changed', data)).toEqual({
      ok: false,
      message: 'arrived on shop.catalog.product.changed, but its topic\'s subject is shop.catalog.stock.changed',
    });
  });
});
