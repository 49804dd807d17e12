export { closeRedis } from './close.js';
export {
  connectRedis,
  firstConnection,
  logRedisAvailability,
  redisAvailability,
  unlessRedisIsAway,
  watchRedisAvailability,
  whileRedisIsUp,
  type RedisAvailability,
  type RedisClient,
  type RedisConnectionConfig,
} from './connect.js';
export { createRateLimiters, sharedWindow, type FixedWindow, type RateLimiters, type WindowSpec } from './rate-limiters.js';
