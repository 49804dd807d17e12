export {
  checked,
  internalEndpoint,
  type AnswerOf,
  type AnswerToSend,
  type Checked,
  type InternalEndpoint,
  type ParsedRequestOf,
  type RequestOf,
} from './endpoint.js';
export {
  changeSchema,
  EventTopic,
  publishedEventSchema,
  type Change,
  type EventPayload,
  type OutboxTopic,
  type PublishedEvent,
  type RequestScopedTopic,
} from './events.js';
export { CACHE_REPORT_EXTENSION, categoryTag, entityTag, ListTag, listTag, orderTag, productTag, splitReportedAnswer, userTag, type CacheReport } from './cache-tags.js';
export { MAX_LOOKUP_IDS, StockApi, type ProductSnapshot, type ReservationRefusal, type ReservationStatus, type ReservedLine, type ReserveRequest } from './stock-api.js';
export { credentialCheck } from './credentials.js';
export { addressLookup, isCountryCode, postalAddressSchema, type PostalAddress, type PostalAddressInput } from './addresses.js';
export { shopperContact } from './shopper-contact.js';
export { passwordResetToken } from './password-reset.js';
export { eventFeed } from './event-feed.js';
export { isId } from './values.js';
export {
  BROKER_CONTRACT_VERSION,
  brokerEventSchema,
  brokerNames,
  brokerStreamSettings,
  decodeBrokerEvent,
  defaultBrokerNames,
  encodeBrokerEvent,
  eventSubject,
  isOutboxPublisher,
  MESSAGE_ID_HEADER,
  outboxPublishers,
  streamSubjects,
  type BrokerEvent,
  type BrokerEventDraft,
  type BrokerMessage,
  type BrokerNames,
  type OutboxPublisher,
} from './broker.js';
