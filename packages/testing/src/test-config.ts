import { loadConfig, readEnvironment, testSchema } from '@shop/config';

/** Where tests find real PostgreSQL and Redis (TEST_POSTGRES_URL, TEST_REDIS_URL). */
export const { test: testConfig } = loadConfig({ test: testSchema }, readEnvironment());
