import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsSchema, parseConfig, type NatsConfig } from '@shop/config';
import { freePort } from './service-process.js';
import { testConfig } from './test-config.js';

/** True when tests can run on NATS with JetStream: TEST_NATS_URL names one (CI requires it), and nats-server is installed beside it. */
export const natsAvailable = testConfig.natsUrl !== null;

/**
 * NATS settings naming a stream and subject prefix of the run's own on `url` (the shared
 * server of TEST_NATS_URL by default): tests never see each other's events. Short timeouts,
 * so an outage shows within a test's time.
 */
export function testNatsConfig(url = testConfig.natsUrl ?? 'nats://127.0.0.1:4222'): NatsConfig {
  const run = randomBytes(6).toString('hex');
  return parseConfig(natsSchema, {
    NATS_URL: url,
    NATS_STREAM: `TEST_${run}`,
    NATS_SUBJECT_PREFIX: `test_${run}`,
    NATS_CONNECT_TIMEOUT_MS: '1000',
    NATS_PUBLISH_TIMEOUT_MS: '1000',
  })!;
}

export interface OwnNats {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL: unacknowledged publishes are lost with it; what it stored stays on disk. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store directory: its streams come back. */
  restart(): Promise<void>;
  /** Kills it and removes its store. */
  stop(): Promise<void>;
}

async function launchNatsServer(port: number, storeDir: string): Promise<ChildProcess> {
  const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server on ${port} did not start:\n${said}`)), 10_000);
      server.once('error', reject);
      server.once('exit', () => reject(new Error(`nats-server on ${port} exited:\n${said}`)));
      server.stderr!.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  // Keep reading what it says, or a full pipe would stall it.
  server.stderr!.resume();
  return server;
}

async function killNatsServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGKILL');
  await exited;
}

/** A nats-server with JetStream of the test's own, on a free port with a store in a temporary directory, stopped by PID. */
export async function startOwnNats(): Promise<OwnNats> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'own-nats-'));
  let server = await launchNatsServer(port, storeDir).catch(async (error: unknown) => {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    get pid() {
      return server.pid!;
    },
    kill: () => killNatsServer(server),
    restart: async () => {
      server = await launchNatsServer(port, storeDir);
    },
    stop: async () => {
      await killNatsServer(server);
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
