import { ConfigError } from '@shop/config';

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Entry-point wrapper: a configuration error prints its full list and exits 1 (no stack
 * trace); SIGINT/SIGTERM stop the service gracefully.
 */
export async function runService(start: () => Promise<Stoppable>): Promise<void> {
  let service: Stoppable;
  try {
    service = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
