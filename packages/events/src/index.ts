export { brokerConnection, ensureStream, streamConfig, type BrokerConnection, type BrokerSession } from './broker.js';
export { startBrokerRelay, type BrokerRelayOptions } from './relay.js';
