export { brokerConnection, type BrokerConnection } from './broker.js';
export { startBrokerRelay, type BrokerRelayOptions } from './relay.js';
export { startEventConsumer, type ConsumedEvent, type ConsumerCheckpoints, type EventConsumer, type EventConsumerOptions } from './consumer.js';
export { databaseCheckpoints } from './checkpoints.js';
