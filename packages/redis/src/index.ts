export { closeRedis } from './close.js';
export { connectRedis } from './connect.js';
export { createRateLimiters, type RateLimiters, type WindowSpec } from './rate-limiters.js';
