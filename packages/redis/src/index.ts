export { connectRedis } from './connect.js';
export { createCounterStore, type CounterStore, type WindowCount } from './counters.js';
