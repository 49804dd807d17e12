/**
 * Makes `count` things, `make(index)` each, a few at a time, in index order. A suite's setup
 * that starts hundreds of writes at once queues them behind a subgraph's ten pooled
 * connections, and on a busy machine the last ones wait past the pool's connect timeout; the
 * benchmarks warm and fill caches the same way.
 */
export async function makeMany<T>(count: number, make: (index: number) => Promise<T>, atOnce = 8): Promise<T[]> {
  const made = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      made[index] = await make(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, count) }, worker));
  return made;
}
