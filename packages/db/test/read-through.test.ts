import { describe, expect, it } from '@jest/globals';
import { readThroughLoader, whenRead } from '../src/index.js';

interface Row {
  id: string;
  name: string;
}

/** A loader over `rows`, counting the batches it asks for; `failing` makes every batch fail. */
function loaderOver(rows: Row[], failing = { now: false }) {
  const batches: Array<readonly string[]> = [];
  const loader = readThroughLoader<Row>(async (ids) => {
    batches.push(ids);
    if (failing.now) throw new Error('catalog is down');
    return ids.map((id) => rows.find((row) => row.id === id) ?? null);
  });
  return { loader, batches };
}

describe('readThroughLoader', () => {
  it('answers a primed key at once, keeping the first value primed, without a batch', async () => {
    const { loader, batches } = loaderOver([]);
    const lamp = { id: 'a', name: 'Lamp' };
    loader.prime('a', lamp);
    loader.prime('a', { id: 'a', name: 'Later' });
    expect(loader.load('a')).toBe(lamp);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(0);
  });

  it('batches the keys asked in one tick, then answers them (and a miss, null) at once', async () => {
    const lamp = { id: 'a', name: 'Lamp' };
    const chair = { id: 'b', name: 'Chair' };
    const { loader, batches } = loaderOver([lamp, chair]);
    const first = ['a', 'b', 'missing'].map((id) => loader.load(id));
    expect(first.every((value) => value instanceof Promise)).toBe(true);
    expect(await Promise.all(first)).toEqual([lamp, chair, null]);
    expect(batches).toEqual([['a', 'b', 'missing']]);
    expect(['a', 'b', 'missing'].map((id) => loader.load(id))).toEqual([lamp, chair, null]);
    expect(batches).toHaveLength(1);
  });

  it('reports a failed batch per key and remembers nothing of it, so a later load asks again', async () => {
    const lamp = { id: 'a', name: 'Lamp' };
    const failing = { now: true };
    const { loader, batches } = loaderOver([lamp], failing);
    const [failed] = await loader.loadMany(['a']);
    expect(failed).toBeInstanceOf(Error);
    await expect(Promise.resolve(loader.load('a'))).rejects.toThrow('catalog is down');
    failing.now = false;
    expect(await loader.load('a')).toBe(lamp);
    expect(batches.length).toBeGreaterThanOrEqual(2);
  });
});

describe('whenRead', () => {
  it('answers a value at once and a promise with a promise', async () => {
    expect(whenRead(2, (n) => n * 3)).toBe(6);
    const later = whenRead(Promise.resolve(2), (n) => n * 3);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe(6);
  });
});
