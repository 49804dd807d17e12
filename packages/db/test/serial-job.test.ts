import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@shop/logging';
import { startSerialJob } from '../src/serial-job.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long each run of the slow job takes. */
const RUN_MS = 100;

/** A logger that keeps the messages it was given at warn, to read back. */
function recordingLogger() {
  const warnings: string[] = [];
  const logger = { warn: (_details: unknown, message: string) => void warnings.push(message) } as unknown as Logger;
  return { logger, warnings };
}

describe('startSerialJob', () => {
  it('never overlaps runs slower than its interval, and stop() waits for the run in progress', async () => {
    const { logger } = recordingLogger();
    let inProgress = 0;
    let mostAtOnce = 0;
    let finished = 0;
    const job = startSerialJob({
      name: 'slow job',
      intervalMs: 5,
      logger,
      run: async () => {
        mostAtOnce = Math.max(mostAtOnce, ++inProgress);
        await sleep(RUN_MS);
        inProgress -= 1;
        finished += 1;
      },
    });
    await sleep(2.5 * RUN_MS);
    const stopping = Date.now();
    await job.stop();
    // Ticks that found a run going were dropped, not queued: stop() waits for one run at most
    // (queued, some fifty ticks would each run), with room for a busy machine's timers.
    expect(Date.now() - stopping).toBeLessThan(RUN_MS + 60);
    expect(mostAtOnce).toBe(1);
    expect(inProgress).toBe(0);
    expect(finished).toBeGreaterThanOrEqual(2);
    expect(finished).toBeLessThanOrEqual(5);
    const afterStop = finished;
    await sleep(60);
    expect(finished).toBe(afterStop);
  });

  it('logs a failed run under its name and runs again on the next tick', async () => {
    const { logger, warnings } = recordingLogger();
    let runs = 0;
    const job = startSerialJob({
      name: 'flaky job',
      intervalMs: 5,
      logger,
      run: async () => {
        runs += 1;
        if (runs === 1) throw new Error('database away');
      },
    });
    await sleep(60);
    await job.stop();
    expect(warnings[0]).toBe('flaky job failed; retrying');
    expect(warnings).toHaveLength(1);
    expect(runs).toBeGreaterThan(1);
  });

  it('runs at once when woken, or once more right after the run in progress, never two at a time', async () => {
    const { logger } = recordingLogger();
    let inProgress = 0;
    let mostAtOnce = 0;
    let runs = 0;
    const job = startSerialJob({
      name: 'woken job',
      intervalMs: 60_000,
      logger,
      run: async () => {
        mostAtOnce = Math.max(mostAtOnce, ++inProgress);
        runs += 1;
        await sleep(30);
        inProgress -= 1;
      },
    });
    job.runSoon();
    await sleep(5);
    expect(runs).toBe(1);
    // Woken twice during that run: one more run follows it, not two.
    job.runSoon();
    job.runSoon();
    await sleep(100);
    expect(runs).toBe(2);
    expect(mostAtOnce).toBe(1);
    await job.stop();
    job.runSoon();
    await sleep(40);
    expect(runs).toBe(2);
  });

  it('runs outside the context of whoever woke it: a request that wakes it does not own the run', async () => {
    const { logger } = recordingLogger();
    const requestScope = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    const job = startSerialJob({ name: 'woken job', intervalMs: 60_000, logger, run: async () => void seen.push(requestScope.getStore()) });
    requestScope.run('a request', () => job.runSoon());
    await sleep(10);
    await job.stop();
    expect(seen).toEqual([undefined]);
  });
});
