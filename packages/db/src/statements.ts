import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable, Transaction } from '@prisma/driver-adapter-utils';
import { requestWork } from './request-scope.js';

export interface StatementCounter {
  /** Statements issued while serving requests since the database opened. */
  readonly requestStatements: number;
}

type Counted = { requestStatements: number };

function countQueries<Q extends SqlQueryable>(queryable: Q, counter: Counted): Q {
  // Only statements issued while serving a request (asRequest) count: background loops
  // (outbox relay, sweepers) would blur what batching is judged by.
  const count = () => {
    if (requestWork()) counter.requestStatements += 1;
  };
  return new Proxy(queryable, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'queryRaw' || property === 'executeRaw') {
        return (...args: unknown[]) => {
          count();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (property === 'startTransaction') {
        return async (...args: unknown[]) =>
          countQueries((await (value as (...a: unknown[]) => Promise<Transaction>).apply(target, args)), counter);
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** The adapter factory, counting every statement Prisma sends through it. */
export function countingAdapter(factory: SqlDriverAdapterFactory): { adapter: SqlDriverAdapterFactory; counter: StatementCounter } {
  const counter: Counted = { requestStatements: 0 };
  const adapter = new Proxy(factory, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'connect') {
        return async () => countQueries<SqlDriverAdapter>(await factory.connect(), counter);
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { adapter, counter };
}
