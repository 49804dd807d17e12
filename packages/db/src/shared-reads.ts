import { isPastRowBound, requestWork, runAsSharedWork, type RequestWork } from './request-scope.js';
import { RowBoundExceeded } from './statements.js';

/** Keys of one statement at most: a bound on the array PostgreSQL is sent, whatever the load. */
const MAX_KEYS_PER_STATEMENT = 1_000;

export interface SharedReadOptions<Value> {
  /** Keys of one call of `batch` at most (1,000 unless given): a service's own bound on a call, say. */
  maxKeysPerBatch?: number;
  /** The rows a value was read from, which its request is accounted (one unless given): a value grouping rows, say. */
  rowsOf?: (value: Value) => number;
}

interface Waiting<Value> {
  keys: readonly string[];
  work: RequestWork | undefined;
  resolve(values: Array<Value | null>): void;
  reject(error: unknown): void;
}

/** Reads by key for every request of the process: see sharedReads. */
export type SharedRead<Value> = (keys: readonly string[]) => Promise<Array<Value | null>>;

/**
 * Reads by primary key that the requests in flight share (docs/adr/0043). The keys every
 * request asks for in one turn of the event loop (its I/O callbacks and what they start)
 * go to the database together, at the end of that turn, as one statement per 1,000 keys
 * (or one call of another service's lookup, `maxKeysPerBatch` keys at most):
 * under load a subgraph answers many requests per statement, so the statements, their
 * round trips and PostgreSQL's work per statement are shared instead of paid by each.
 *
 * Only what the database holds now is read: a batch already sent is never joined, so a
 * request that wrote and then reads sees its write. The statement runs in a scope of its own
 * (counted once, bounded by none); each request is accounted the rows it asked for and
 * refused past its own bound, and told when the database was unreachable. `batch` answers
 * in the order of its keys, null for a key with nothing; keys must be valid for it (checked
 * ids), since a statement that fails fails every request in it.
 */
export function sharedReads<Value>(
  batch: (keys: readonly string[]) => Promise<Array<Value | null>>,
  { maxKeysPerBatch = MAX_KEYS_PER_STATEMENT, rowsOf = () => 1 }: SharedReadOptions<Value> = {},
): SharedRead<Value> {
  let waiting: Array<Waiting<Value>> = [];

  async function send(group: Array<Waiting<Value>>) {
    const keys = [...new Set(group.flatMap((entry) => entry.keys))];
    const shared = { databaseUnavailable: false };
    try {
      const found = new Map<string, Value | null>();
      const chunks = Array.from({ length: Math.ceil(keys.length / maxKeysPerBatch) }, (_, index) =>
        keys.slice(index * maxKeysPerBatch, (index + 1) * maxKeysPerBatch),
      );
      await runAsSharedWork(shared, () =>
        Promise.all(
          chunks.map(async (chunk) => {
            const values = await batch(chunk);
            chunk.forEach((key, index) => found.set(key, values[index] ?? null));
          }),
        ),
      );
      for (const entry of group) answer(entry, entry.keys.map((key) => found.get(key) ?? null));
    } catch (error) {
      for (const entry of group) {
        if (entry.work && shared.databaseUnavailable) entry.work.databaseUnavailable = true;
        entry.reject(error);
      }
    }
  }

  function answer(entry: Waiting<Value>, values: Array<Value | null>) {
    if (entry.work) {
      for (const value of values) if (value !== null) entry.work.rows += rowsOf(value);
      // As a statement of its own would: nothing gets built from rows past the request's bound.
      if (isPastRowBound(entry.work)) return entry.reject(new RowBoundExceeded(entry.work.bounds.maxRows));
    }
    entry.resolve(values);
  }

  return (keys) =>
    new Promise<Array<Value | null>>((resolve, reject) => {
      const work = requestWork();
      if (work && isPastRowBound(work)) return reject(new RowBoundExceeded(work.bounds.maxRows));
      if (keys.length === 0) return resolve([]);
      if (waiting.length === 0) {
        setImmediate(() => {
          const group = waiting;
          waiting = [];
          void send(group);
        });
      }
      waiting.push({ keys, work, resolve, reject });
    });
}
