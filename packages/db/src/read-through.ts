import DataLoader from 'dataloader';

/**
 * A per-request loader that answers what the request has already read at once, not as a
 * promise: a value primed from a join, or one a batch brought back. A promise per row made
 * graphql-js complete each item of a list asynchronously, and DataLoader's own cache answers
 * with a promise even for a known key. What is not known yet is batched through DataLoader,
 * one batch for the keys asked in the same tick.
 */
export interface ReadThroughLoader<Value> {
  load(key: string): Value | null | Promise<Value | null>;
  /** As DataLoader's: a failed key comes back as its Error, the others as values. */
  loadMany(keys: readonly string[]): Promise<Array<Value | null | Error>>;
  /** As DataLoader's: what is already known stays. */
  prime(key: string, value: Value): void;
}

/** `batch` answers in the order of its keys (alignById, groupByKey), null for a key with nothing. */
export function readThroughLoader<Value extends object>(
  batch: (keys: readonly string[]) => Promise<Array<Value | null>>,
): ReadThroughLoader<Value> {
  const known = new Map<string, Value | null>();
  const loader = new DataLoader<string, Value | null>(async (keys) => {
    const values = await batch(keys);
    keys.forEach((key, index) => {
      if (!known.has(key)) known.set(key, values[index] ?? null);
    });
    return values;
  });
  const load = (key: string) => {
    const value = known.get(key);
    return value !== undefined ? value : loader.load(key);
  };
  return {
    load,
    loadMany: (keys) => Promise.all(keys.map((key) => Promise.resolve(load(key)).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))))),
    prime: (key, value) => {
      if (!known.has(key)) known.set(key, value);
    },
  };
}

/** A value read already, or a promise of it: `then` without a promise when there is none. */
export function whenRead<Value, Answer>(value: Value | Promise<Value>, answer: (value: Value) => Answer): Answer | Promise<Answer> {
  return value instanceof Promise ? value.then(answer) : answer(value);
}
