export { brokerConnection, type BrokerConnection } from './broker.js';
export { startBrokerRelay, type BrokerRelayOptions } from './relay.js';
