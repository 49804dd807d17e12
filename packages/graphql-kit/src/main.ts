import { constants } from 'node:os';
import { ConfigError, type ShutdownConfig } from '@shop/config';
import type { Logger } from '@shop/logging';
import type { Tracing } from '@shop/tracing';
import type { StopOptions } from './http-server.js';

/** A service that refuses to start for a reason its operator can fix; its message says how. */
export class StartRefused extends Error {
  override name = 'StartRefused';
}

export interface StartedService {
  service: { stop(options?: StopOptions): Promise<void> };
  shutdown: ShutdownConfig;
  logger: Logger;
  /** Its spans still buffered are sent once it has stopped serving. */
  tracing?: Tracing | null;
}

/**
 * Of the shutdown deadline, the share requests in flight get to be answered; closing the
 * pools (Redis, databases, subgraph connections) has the rest.
 */
const DRAIN_SHARE = 0.75;

/**
 * Entry-point wrapper. A configuration error or a refusal prints its message and exits 1 (no
 * stack trace). The first SIGINT or SIGTERM stops the service gracefully; later ones are
 * noted and ignored (a terminal's Ctrl+C reaches `npm start` and its children alike). Whatever
 * hangs, the process exits within SHUTDOWN_TIMEOUT_MS of the first signal. A signal before it
 * is ready ends it at once, as the default handler would: it serves nothing yet, and its start
 * (a database that does not answer) has no deadline of its own.
 */
export async function runService(start: () => Promise<StartedService>): Promise<void> {
  let started: StartedService | null = null;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (!started) process.exit(128 + constants.signals[signal]);
    if (stopping) {
      started.logger.info({ signal }, 'already stopping');
      return;
    }
    stopping = true;
    void stopGracefully(started, signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    started = await start();
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof StartRefused ? error.message : error);
    process.exit(1);
  }
}

async function stopGracefully({ service, shutdown, logger, tracing }: StartedService, signal: NodeJS.Signals) {
  const since = Date.now();
  logger.info({ signal, timeoutMs: shutdown.timeoutMs }, 'stopping: no new connections, answering requests in flight');
  // Unref'd: a clean stop exits sooner; this only bounds one that hangs (a frozen database or Redis).
  setTimeout(() => {
    logger.error({ timeoutMs: shutdown.timeoutMs }, 'shutdown passed its deadline: exiting with connections still open');
    process.exit(1);
  }, shutdown.timeoutMs).unref();
  try {
    await service.stop({ drainMs: Math.floor(shutdown.timeoutMs * DRAIN_SHARE) });
    await tracing?.shutdown();
    logger.info({ ms: Date.now() - since }, 'stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
