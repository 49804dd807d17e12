import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BROKER_CONTRACT_VERSION, brokerNames, encodeBrokerEvent, eventSubject, EventTopic, type OutboxTopic } from '@shop/contracts';
import { brokerConnection, startEventConsumer, type ConsumedEvent, type EventConsumer } from '@shop/events';
import type { Logger } from '@shop/logging';
import { dropTestStream, natsAvailable, testKeyRing, testNatsConfig } from '@shop/testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** The consumer of the gateway and the notifications worker, on a stream of the test's own (docs/adr/0030). */
(natsAvailable ? describe : describe.skip)('the event consumer on NATS JetStream', () => {
  const nats = testNatsConfig();
  const names = brokerNames(nats);
  let connection: NatsConnection;
  let seq = 0;
  const checkpoints = new Map<string, string>();
  const warnings: string[] = [];
  const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_: unknown, message: string) => void warnings.push(message) } as unknown as Logger;

  beforeAll(async () => {
    // The stream as a relay makes it.
    const relaySide = brokerConnection(nats, 'test publisher');
    await relaySide.ready();
    await relaySide.close();
    connection = await connect({ servers: nats.servers });
  });
  afterAll(async () => {
    await connection?.close();
    await dropTestStream(nats);
  });

  async function publish(topic: OutboxTopic, payload: unknown, source: 'catalog' | 'orders'): Promise<string> {
    const id = randomUUID();
    seq += 1;
    const message = encodeBrokerEvent(names, { version: BROKER_CONTRACT_VERSION, id, source, seq: String(seq), aggregateId: 'a', createdAt: new Date().toISOString(), change: { topic, payload } });
    if (!message.ok) throw new Error(message.message);
    await jetstream(connection).publish(message.value.subject, message.value.data, { msgID: id });
    return id;
  }

  function consume(topics: OutboxTopic[], handled: ConsumedEvent[]): EventConsumer {
    return startEventConsumer({
      name: 'test consumer',
      topics,
      nats,
      feeds: {},
      gatewayKeys: testKeyRing(),
      checkpoints: { read: async (position) => checkpoints.get(position) ?? null, save: async (position, value) => void checkpoints.set(position, value) },
      fromFirstEvent: true,
      handle: async (events) => void handled.push(...events),
      idleMs: 50,
      logger,
    });
  }

  it('hands over the topics asked for, in order, skips what it cannot read, and starts again from its checkpoint', async () => {
    const productId = randomUUID();
    const first = await publish(EventTopic.STOCK_CHANGED, { productId, stockQuantity: 1, previousStockQuantity: 2 }, 'catalog');
    // On its topic's subject, but not what the contract says: logged and passed over, never waited on.
    await jetstream(connection).publish(eventSubject(names, EventTopic.PRODUCT_CHANGED), '{"version":1,"broken":true}', { msgID: randomUUID() });
    const order = await publish(EventTopic.ORDER_PLACED, { orderId: randomUUID(), userId: randomUUID(), total: '10.00', currency: 'EUR', productIds: [productId] }, 'orders');

    const handled: ConsumedEvent[] = [];
    let consumer = consume([EventTopic.STOCK_CHANGED, EventTopic.ORDER_PLACED], handled);
    await until('both events are handled', () => handled.length === 2);
    expect(handled.map((event) => [event.id, event.change.topic])).toEqual([
      [first, EventTopic.STOCK_CHANGED],
      [order, EventTopic.ORDER_PLACED],
    ]);
    expect(warnings).toEqual(['test consumer: an event it cannot read is skipped']);
    await until('the checkpoint is past all three messages', () => checkpoints.get(`broker:${names.stream}`) === '3');
    await consumer.stop();

    // Stopped while more happen: started again, it reads from its checkpoint, each event once.
    const later = await publish(EventTopic.PRODUCT_CHANGED, { productId }, 'catalog');
    const ordersOnly: ConsumedEvent[] = [];
    const cancelled = await publish(EventTopic.ORDER_CANCELLED, { orderId: randomUUID(), userId: randomUUID(), from: 'PENDING', to: 'CANCELLED' }, 'orders');
    consumer = consume([EventTopic.PRODUCT_CHANGED, EventTopic.ORDER_CANCELLED], ordersOnly);
    await until('the later events are handled', () => ordersOnly.length === 2);
    await sleep(200);
    await consumer.stop();
    expect(ordersOnly.map((event) => event.id)).toEqual([later, cancelled]);
  });

  it('reading one publisher only, it skips the other publisher\'s topics', async () => {
    const handled: ConsumedEvent[] = [];
    checkpoints.clear();
    const consumer = consume([EventTopic.ORDER_PLACED, EventTopic.ORDER_CANCELLED, EventTopic.ORDER_STATUS_CHANGED], handled);
    await until('the orders events so far are handled', () => handled.length === 2);
    await sleep(200);
    await consumer.stop();
    expect(handled.map((event) => event.source)).toEqual(['orders', 'orders']);
  });
});
