export { applyMigrations, MigrationError } from './migrations.js';
export { openDatabase, type ConnectionErrorListener, type Database } from './open.js';
export type { SqlRunner } from './sql-runner.js';
export { asRequest, type StatementCounter } from './statements.js';
export { alignById, groupByKey } from './batch.js';
export { stableUuid } from './stable-id.js';
export { seededRandom } from './random.js';
export {
  EventTopic,
  publishPendingEvents,
  readPublishedEvents,
  startOutboxRelay,
  type OutboxRelay,
  type PublishedEvent,
  type RawSqlClient,
} from './outbox.js';
export { isUniqueViolation } from './unique-violation.js';
