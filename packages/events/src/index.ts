// The consumer's side, which the gateway loads too. A subgraph's relay from its outbox reads
// its database: @shop/events/relay.
export { brokerConnection, type BrokerConnection } from './broker.js';
export { startEventConsumer, type ConsumedEvent, type ConsumerCheckpoints, type ConsumerState, type EventConsumer, type EventConsumerOptions } from './consumer.js';
export { consumerMetrics, type ConsumerObserver } from './metrics.js';
export { databaseCheckpoints } from './checkpoints.js';
