export { brokerConnection, type BrokerConnection } from './broker.js';
export { startBrokerRelay, type BrokerRelayOptions } from './relay.js';
export { startEventConsumer, type ConsumedEvent, type ConsumerCheckpoints, type ConsumerState, type EventConsumer, type EventConsumerOptions } from './consumer.js';
export { brokerRelayMetrics, consumerMetrics, type ConsumerObserver, type RelayObserver } from './metrics.js';
export { databaseCheckpoints } from './checkpoints.js';
