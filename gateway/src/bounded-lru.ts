/**
 * lru-cache options that bound a cache to `entries` without allocating them up front: given
 * `max`, lru-cache allocates some 44 bytes per slot at once (4 MiB for 100,000), which the
 * gateway's caches sized for bursts would hold from start-up on, mostly empty.
 */
export const upTo = (entries: number) => ({ maxSize: entries, sizeCalculation: () => 1 });
