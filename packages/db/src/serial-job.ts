import { AsyncResource } from 'node:async_hooks';
import type { Logger } from '@shop/logging';

export interface SerialJobOptions {
  /** Names the job in its logs: "outbox relay" logs "outbox relay failed; retrying". */
  name: string;
  intervalMs: number;
  run: () => Promise<void>;
  logger: Logger;
}

export interface SerialJob {
  /** No run starts after it is called; resolves once the run in progress, if any, has ended. */
  stop(): Promise<void>;
}

/** A serial job another can wake: work it waits for is there now. */
export interface WakeableJob extends SerialJob {
  /** Runs at once, or right after the run in progress (which may have started before the work came). */
  runSoon(): void;
}

/**
 * Runs a background job every `intervalMs`, never two runs at once: a tick that finds the
 * last run still going is skipped, so a slow database builds no queue of runs. A failed run
 * is logged and the next tick tries again. The timer keeps no process alive.
 */
export function startSerialJob({ name, intervalMs, run, logger }: SerialJobOptions): WakeableJob {
  let current: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const start = () => {
    current = Promise.resolve()
      .then(run)
      .catch((error: unknown) => logger.warn({ err: error }, `${name} failed; retrying`))
      .finally(() => {
        current = null;
        if (again && !stopped) {
          again = false;
          start();
        }
      });
  };
  const timer = setInterval(() => {
    if (!current) start();
  }, intervalMs);
  timer.unref();
  return {
    // Bound to where the job was started: a run a request wakes must not count as part of that
    // request (its statements, its row bound: the request scope lives in AsyncLocalStorage).
    runSoon: AsyncResource.bind(() => {
      if (stopped) return;
      if (current) again = true;
      else start();
    }),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
