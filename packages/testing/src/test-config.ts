import { loadConfig, readEnvironment, testSchema } from '@shop/config';

/** Where tests find real PostgreSQL, Redis and NATS (TEST_POSTGRES_URL, TEST_REDIS_URL, TEST_NATS_URL). */
export const { test: testConfig } = loadConfig({ test: testSchema }, readEnvironment());
