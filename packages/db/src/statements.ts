import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, SqlQueryable, SqlResultSet, Transaction } from '@prisma/driver-adapter-utils';
import { isConnectionFailure } from './connection-failure.js';
import { isPastRowBound, requestWork, type RequestWork } from './request-scope.js';

export interface StatementCounter {
  /** Statements issued while serving requests since the database opened. */
  readonly requestStatements: number;
}

type Counted = { requestStatements: number };

/** A statement refused because its request has already loaded more rows than one request may. */
export class RowBoundExceeded extends Error {
  constructor(readonly maxRows: number) {
    super(`The request loaded more than ${maxRows} rows; its further statements are refused`);
    this.name = 'RowBoundExceeded';
  }
}

// How Prisma ends a transaction on adapters without phantom queries (pg); PGlite's adapter
// ends it through the transaction's commit() and rollback() instead.
const COMMIT = 'COMMIT';
const ROLLBACK = 'ROLLBACK';

type Method = (...args: unknown[]) => Promise<unknown>;

function refuseIfPastRowBound(work: RequestWork | undefined): void {
  if (work && isPastRowBound(work)) throw new RowBoundExceeded(work.bounds.maxRows);
}

function noteIfUnreachable(error: unknown): never {
  const work = requestWork();
  if (work && isConnectionFailure(error)) work.databaseUnavailable = true;
  throw error;
}

/** The method, telling the request that calls it when the database could not be reached (see databaseWasUnavailable). */
const noticingOutages =
  (method: (...args: unknown[]) => unknown) =>
  (...args: unknown[]) => {
    const result = method(...args);
    return result instanceof Promise ? result.catch(noteIfUnreachable) : result;
  };

/**
 * Accounts each statement to the request issuing it (asRequest): counted, its rows added
 * to the request's, and refused at once when the request is past its row bound, so that an
 * oversized request stops loading instead of exhausting the process's memory. A transaction
 * of such a request rolls back whatever its code does with the refusal. Background loops
 * (outbox relay, sweepers) run outside any request: neither counted (they would blur what
 * batching is judged by) nor bounded. A statement that finds the database unreachable is
 * noted on its request.
 */
function accountStatements<Q extends SqlQueryable>(queryable: Q, counter: Counted): Q {
  return new Proxy(queryable, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = noticingOutages((value as Method).bind(target)) as Method;
      if (property === 'queryRaw') {
        return async (query: SqlQuery) => {
          const work = requestWork();
          if (!work) return method(query);
          refuseIfPastRowBound(work);
          counter.requestStatements += 1;
          const result = (await method(query)) as SqlResultSet;
          work.rows += result.rows.length;
          // The statement that passes the bound fails too: nothing gets built from its rows.
          refuseIfPastRowBound(work);
          return result;
        };
      }
      if (property === 'executeRaw') {
        return async (query: SqlQuery) => {
          const work = requestWork();
          if (!work) return method(query);
          if (isPastRowBound(work) && query.sql !== ROLLBACK) {
            // Even if its code carried on after a refusal, the transaction must not keep its writes.
            if (query.sql === COMMIT) {
              counter.requestStatements += 1;
              await method({ ...query, sql: ROLLBACK });
            }
            throw new RowBoundExceeded(work.bounds.maxRows);
          }
          counter.requestStatements += 1;
          return method(query);
        };
      }
      if (property === 'commit') {
        // Likewise for adapters that end a transaction through this method.
        return async () => {
          const work = requestWork();
          if (work && isPastRowBound(work)) {
            await (target as unknown as Transaction).rollback();
            throw new RowBoundExceeded(work.bounds.maxRows);
          }
          return method();
        };
      }
      if (property === 'startTransaction') {
        return async (...args: unknown[]) => {
          refuseIfPastRowBound(requestWork());
          return accountStatements((await method(...args)) as Transaction, counter);
        };
      }
      return method;
    },
  });
}

/** The adapter factory, accounting every statement Prisma sends through it to its request (see accountStatements). */
export function countingAdapter(factory: SqlDriverAdapterFactory): { adapter: SqlDriverAdapterFactory; counter: StatementCounter } {
  const counter: Counted = { requestStatements: 0 };
  const adapter = new Proxy(factory, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'connect') {
        return async () => accountStatements<SqlDriverAdapter>(await factory.connect(), counter);
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { adapter, counter };
}
