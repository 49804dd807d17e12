export { applyMigrations, migrationNames, MigrationError } from './migrations.js';
export { openDatabase, prismaClientOptions, type ConnectionErrorListener, type Database, type PoolUse } from './open.js';
export { statementNames } from './prepared-statements.js';
export { withRowReads, type ReadRows, type RowReads } from './row-reads.js';
export type { SqlRunner } from './sql-runner.js';
export { RowBoundExceeded, type StatementCounter } from './statements.js';
export { asRequest, changesOfThisRequest, databaseWasUnavailable, noteChange, noteDatabaseBusy, passedRowBound, type RequestBounds } from './request-scope.js';
export { isConnectionFailure, isTransactionStartTimeout } from './connection-failure.js';
export { countedPageOf, countedPageStatement, pageRowColumn, type CountedPageRow } from './counted-page.js';
export { alignById, groupByKey } from './batch.js';
export { readThroughLoader, whenRead, type ReadThroughLoader } from './read-through.js';
export { sharedReads, type SharedRead, type SharedReadOptions } from './shared-reads.js';
export { stableUuid } from './stable-id.js';
export { seededRandom } from './random.js';
export {
  brokerBacklog,
  publishPendingEvents,
  readBrokerCheckpoint,
  readEventsToRelay,
  readPublishedEvents,
  saveBrokerCheckpoint,
  startOutboxRelay,
  writeEvent,
  type EventToRelay,
  type OutboxRelayOptions,
  type OutboxWriter,
  type RawSqlClient,
} from './outbox.js';
export { startSerialJob, type SerialJob, type SerialJobOptions, type WakeableJob } from './serial-job.js';
export { conflictOnUniqueViolation, isUniqueViolation, retryingUniqueRace } from './unique-violation.js';
