// A subgraph's relay from its outbox to the broker, and its metrics: both read the subgraph's database.
export { startBrokerRelay, type BrokerRelayOptions } from './relay.js';
export { brokerRelayMetrics, type RelayObserver } from './relay-metrics.js';
