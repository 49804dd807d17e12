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

/**
 * Runs a background job every `intervalMs`, never two runs at once: a tick that finds the
 * last run still going is skipped, so a slow database builds no queue of runs. A failed run
 * is logged and the next tick tries again. The timer keeps no process alive.
 */
export function startSerialJob({ name, intervalMs, run, logger }: SerialJobOptions): SerialJob {
  let current: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (current) return;
    current = Promise.resolve()
      .then(run)
      .catch((error: unknown) => logger.warn({ err: error }, `${name} failed; retrying`))
      .finally(() => {
        current = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
