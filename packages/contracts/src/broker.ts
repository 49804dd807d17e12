import { z } from 'zod';
import { checked, type Checked } from './endpoint.js';
import { changeSchema, EventTopic, type OutboxTopic } from './events.js';
import { sequenceSchema } from './values.js';

/**
 * The outbox events on NATS JetStream (docs/adr/0028), version 1. A change that a consumer of
 * version 1 could not read (a field renamed or removed, a subject moved) is version 2, on
 * subjects of its own; adding a topic or an optional payload field is not.
 */
export const BROKER_CONTRACT_VERSION = 1;

/** The services whose outbox feeds the stream, and the topics each publishes: a topic has one publisher. */
export const outboxPublishers = {
  catalog: [EventTopic.PRODUCT_CHANGED, EventTopic.STOCK_CHANGED, EventTopic.CATEGORY_CHANGED],
  orders: [EventTopic.ORDER_PLACED, EventTopic.ORDER_CANCELLED, EventTopic.ORDER_STATUS_CHANGED, EventTopic.ORDER_ANONYMISED],
  users: [EventTopic.PASSWORD_RESET_REQUESTED, EventTopic.USER_DELETED],
} as const satisfies Record<string, readonly OutboxTopic[]>;

export type OutboxPublisher = keyof typeof outboxPublishers;

// Fails to compile when an outbox topic has no publisher.
const publisherByTopic: Record<OutboxTopic, OutboxPublisher> = Object.fromEntries(
  Object.entries(outboxPublishers).flatMap(([publisher, topics]) => topics.map((topic) => [topic, publisher])),
) as { [Publisher in OutboxPublisher as (typeof outboxPublishers)[Publisher][number]]: Publisher };

export const isOutboxPublisher = (name: string): name is OutboxPublisher => Object.hasOwn(outboxPublishers, name);

/** Which stream, and under which subject prefix: a deployment (or a test) may choose its own. */
export interface BrokerNames {
  stream: string;
  subjectPrefix: string;
}

export const defaultBrokerNames: BrokerNames = { stream: 'SHOP_EVENTS', subjectPrefix: 'shop' };

/** The names a deployment chose (NATS_STREAM, NATS_SUBJECT_PREFIX), the contract's where it chose none. */
export const brokerNames = (chosen: { stream: string | null; subjectPrefix: string | null }): BrokerNames => ({
  stream: chosen.stream ?? defaultBrokerNames.stream,
  subjectPrefix: chosen.subjectPrefix ?? defaultBrokerNames.subjectPrefix,
});

/** One subject per topic, under its publisher: `shop.catalog.stock.changed`, `shop.orders.order.placed`. */
export const eventSubject = (names: BrokerNames, topic: OutboxTopic): string => `${names.subjectPrefix}.${publisherByTopic[topic]}.${topic}`;

/** The stream's subjects: exactly the topics' subjects, so nothing else lands in it. */
export const streamSubjects = (names: BrokerNames): string[] =>
  (Object.keys(publisherByTopic) as OutboxTopic[]).map((topic) => eventSubject(names, topic));

/**
 * How the stream keeps messages. Limits retention: every consumer reads every message, at its
 * own pace, for a week (as long as the outbox keeps a published row). The duplicate window
 * covers a relay that published, lost its checkpoint (a crash, the broker's acknowledgement
 * lost on the way) and publishes again after a restart.
 */
export const brokerStreamSettings = {
  retention: 'limits',
  storage: 'file',
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  duplicateWindowMs: 10 * 60 * 1000,
  discard: 'old',
} as const;

/** Names a message's event for the broker's deduplication: the outbox row's event id. */
export const MESSAGE_ID_HEADER = 'Nats-Msg-Id';

/**
 * One message's body: the envelope of one outbox row, its change (topic and payload) read by
 * the same changeSchema that types the outbox, and no request-scoped topic.
 */
export const brokerEventSchema = z
  .object({
    version: z.literal(BROKER_CONTRACT_VERSION),
    /** Unique across publishers and database resets (a UUID the outbox row got when written); also the `Nats-Msg-Id`. */
    id: z.uuid(),
    source: z.enum(Object.keys(outboxPublishers) as [OutboxPublisher, ...OutboxPublisher[]]),
    /** The row's position in its publisher's feed (the HTTP feed's `seq`): increasing per source. */
    seq: sequenceSchema,
    aggregateId: z.string(),
    createdAt: z.iso.datetime(),
    change: changeSchema,
  })
  .refine((event) => (outboxPublishers[event.source] as readonly string[]).includes(event.change.topic), {
    message: 'topic is not one its source publishes',
    path: ['change', 'topic'],
  });

export type BrokerEvent = z.output<typeof brokerEventSchema>;

/** What a relay publishes for one event: the subject, the message id and the body. */
export interface BrokerMessage {
  subject: string;
  messageId: string;
  data: string;
}

/** An event about to be published, its change as an outbox row holds it: checked on the way out. */
export type BrokerEventDraft = Omit<z.input<typeof brokerEventSchema>, 'change'> & { change: { topic: string; payload: unknown } };

/** Validates an event before it is published; one that breaks the contract is refused, naming the field. */
export function encodeBrokerEvent(names: BrokerNames, event: BrokerEventDraft): Checked<BrokerMessage> {
  const read = checked(brokerEventSchema, event);
  if (!read.ok) return read;
  const topic = read.value.change.topic as OutboxTopic;
  return { ok: true, value: { subject: eventSubject(names, topic), messageId: read.value.id, data: JSON.stringify(read.value) } };
}

/** Reads a message a consumer received: its body must follow the contract, on the subject of its topic. */
export function decodeBrokerEvent(names: BrokerNames, subject: string, data: string): Checked<BrokerEvent> {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return { ok: false, message: 'body is not JSON' };
  }
  const read = checked(brokerEventSchema, body);
  if (!read.ok) return read;
  const expected = eventSubject(names, read.value.change.topic as OutboxTopic);
  if (subject !== expected) return { ok: false, message: `arrived on ${subject}, but its topic's subject is ${expected}` };
  return read;
}
