import { performance } from 'node:perf_hooks';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Runs `run` `rounds` times one after another and prints mean, p50 and p99; returns the mean in ms. */
export async function time(label: string, rounds: number, run: (round: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    await run(round);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, sample) => sum + sample, 0) / samples.length;
  console.log(
    `${label.padEnd(44)} mean ${mean.toFixed(1).padStart(6)} ms   p50 ${percentile(samples, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(samples, 99).toFixed(1).padStart(6)} ms`,
  );
  return mean;
}

/** Wall time of one batch of concurrent calls, in ms. */
export async function wallTime(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}
