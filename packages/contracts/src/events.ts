import { z } from 'zod';
import { decimalSchema, idSchema, sequenceSchema } from './values.js';

/** What other services learn about, by topic; payloads carry ids, never whole records. */
export const EventTopic = {
  /** A product's name, price, category or visibility changed (or it was created or deleted). */
  PRODUCT_CHANGED: 'product.changed',
  /** A product's stock level changed. */
  STOCK_CHANGED: 'stock.changed',
  CATEGORY_CHANGED: 'category.changed',
  ORDER_PLACED: 'order.placed',
  ORDER_CANCELLED: 'order.cancelled',
  ORDER_STATUS_CHANGED: 'order.status_changed',
  /** An order's personal fields (its shipping address) were erased, its buyer's account having been deleted. */
  ORDER_ANONYMISED: 'order.anonymised',
  /**
   * Someone asked to reset an account's password (docs/adr/0035). It names the request, never a
   * token: the notifications worker asks users for the token over a signed call.
   */
  PASSWORD_RESET_REQUESTED: 'password_reset.requested',
  /** An account was deleted: its personal data is gone from users, and whoever keeps some (orders) erases theirs. */
  USER_DELETED: 'user.deleted',
  /** A shopper's cart changed. Request-scoped only, never written to the outbox. */
  CART_CHANGED: 'cart.changed',
  /** An account's profile, role or status changed. Request-scoped only. */
  USER_CHANGED: 'user.changed',
} as const;

export type EventTopic = (typeof EventTopic)[keyof typeof EventTopic];

/** Topics a request reports to the gateway but no subgraph publishes in its feed. */
export type RequestScopedTopic = typeof EventTopic.CART_CHANGED | typeof EventTopic.USER_CHANGED;
export type OutboxTopic = Exclude<EventTopic, RequestScopedTopic>;

const orderStatusSchema = z.enum(['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED']);
const orderTransitionSchema = z.object({ orderId: idSchema, userId: idSchema, from: orderStatusSchema, to: orderStatusSchema });
const stockQuantitySchema = z.number().int().min(0);

const change = <Topic extends EventTopic, Payload extends z.ZodType>(topic: Topic, payload: Payload) =>
  z.object({ topic: z.literal(topic), payload });

/** A change one subgraph made that others (caches, notifications) should learn about: a topic and its payload. */
export const changeSchema = z.discriminatedUnion('topic', [
  change(EventTopic.PRODUCT_CHANGED, z.object({ productId: idSchema })),
  change(
    EventTopic.STOCK_CHANGED,
    z.object({
      productId: idSchema,
      stockQuantity: stockQuantitySchema,
      /** Tells a product coming back in stock (it may now belong in lists) from one merely selling a unit; null when unknown. */
      previousStockQuantity: stockQuantitySchema.nullable(),
    }),
  ),
  change(EventTopic.CATEGORY_CHANGED, z.object({ categoryId: idSchema })),
  change(
    EventTopic.ORDER_PLACED,
    z.object({ orderId: idSchema, userId: idSchema, total: decimalSchema, currency: z.string().length(3), productIds: z.array(idSchema) }),
  ),
  change(EventTopic.ORDER_CANCELLED, orderTransitionSchema),
  change(EventTopic.ORDER_STATUS_CHANGED, orderTransitionSchema),
  change(EventTopic.ORDER_ANONYMISED, z.object({ orderId: idSchema, userId: idSchema })),
  change(EventTopic.PASSWORD_RESET_REQUESTED, z.object({ userId: idSchema, resetRequestId: idSchema })),
  change(EventTopic.USER_DELETED, z.object({ userId: idSchema })),
  change(EventTopic.CART_CHANGED, z.object({ userId: idSchema })),
  /** Null: some account changed, which one is not known (lists of users are stale). */
  change(EventTopic.USER_CHANGED, z.object({ userId: idSchema.nullable() })),
]);

export type Change = z.output<typeof changeSchema>;
export type EventPayload<Topic extends EventTopic> = z.input<typeof changeSchema> extends infer Each
  ? Each extends { topic: Topic; payload: infer Payload }
    ? Payload
    : never
  : never;

/**
 * One event of a subgraph's feed. Its payload is read on its own (with changeSchema), so that
 * one event a consumer cannot read does not hold up the feed behind it.
 */
export const publishedEventSchema = z.object({
  /** The event's id, as on the broker (docs/adr/0028); absent from a subgraph older than it. */
  id: z.uuid().optional(),
  /** Position in the subgraph's feed. */
  seq: sequenceSchema,
  topic: z.string(),
  aggregateId: z.string(),
  payload: z.unknown(),
  createdAt: z.string(),
});

export type PublishedEvent = z.output<typeof publishedEventSchema>;
