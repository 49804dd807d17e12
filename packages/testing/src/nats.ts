import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsSchema, parseConfig, type NatsConfig } from '@shop/config';
import { brokerNames, decodeBrokerEvent, MESSAGE_ID_HEADER, type BrokerEvent } from '@shop/contracts';
import { freePort } from './service-process.js';
import { testConfig } from './test-config.js';

/** True when tests can run on NATS with JetStream: TEST_NATS_URL names one (CI requires it), and nats-server is installed beside it. */
export const natsAvailable = testConfig.natsUrl !== null;

/**
 * NATS settings naming a stream and subject prefix of the run's own on `url` (the shared
 * server of TEST_NATS_URL by default): tests never see each other's events.
 */
export function testNatsConfig(url = testConfig.natsUrl ?? 'nats://127.0.0.1:4222'): NatsConfig {
  const run = randomBytes(6).toString('hex');
  return parseConfig(natsSchema, {
    NATS_URL: url,
    NATS_STREAM: `TEST_${run}`,
    NATS_SUBJECT_PREFIX: `test_${run}`,
  })!;
}

/** NATS settings as the environment spells them, for a service in a process of its own. */
export const natsVariables = (nats: NatsConfig): Record<string, string> => ({
  NATS_URL: nats.servers.join(','),
  ...(nats.stream ? { NATS_STREAM: nats.stream } : {}),
  ...(nats.subjectPrefix ? { NATS_SUBJECT_PREFIX: nats.subjectPrefix } : {}),
});

/** An event as the stream holds it: read by the contract, with the message id it was published under. */
export type StoredEvent = BrokerEvent & { messageId: string | undefined };

async function withManager<T>(nats: NatsConfig, use: (manager: JetStreamManager) => Promise<T>): Promise<T> {
  const connection = await connect({ servers: nats.servers, timeout: 5_000 });
  try {
    return await use(await jetstreamManager(connection, { timeout: 5_000 }));
  } finally {
    await connection.close();
  }
}

/** Every message of the stream `nats` names, first to last, each read by the contract (a message it refuses fails the read). */
export const readTestStream = (nats: NatsConfig): Promise<StoredEvent[]> =>
  withManager(nats, async (manager) => {
    const names = brokerNames(nats);
    const { state } = await manager.streams.info(names.stream);
    const events: StoredEvent[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
      const message = await manager.streams.getMessage(names.stream, { seq });
      if (!message) throw new Error(`message ${seq} of ${names.stream} is missing`);
      const read = decodeBrokerEvent(names, message.subject, message.string());
      if (!read.ok) throw new Error(`message ${seq} of ${names.stream}: ${read.message}`);
      events.push({ ...read.value, messageId: message.header.get(MESSAGE_ID_HEADER) });
    }
    return events;
  });

/** The sequence of the last message in the stream `nats` names (0 while it holds none, or is not made yet). */
export const streamLastSeq = (nats: NatsConfig): Promise<number> =>
  withManager(nats, async (manager) => {
    try {
      return (await manager.streams.info(brokerNames(nats).stream)).state.last_seq;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return 0;
      throw error;
    }
  });

/** Removes the test's stream, if it was made. */
export const dropTestStream = (nats: NatsConfig): Promise<void> =>
  withManager(nats, async (manager) => {
    await manager.streams.delete(brokerNames(nats).stream).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    });
  });

export interface OwnNats {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL: unacknowledged publishes are lost with it; what it stored stays on disk. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store directory (killing it first if it runs): its streams come back. */
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
      // One server on the port: a second would start beside one still running (it binds with SO_REUSEPORT).
      await killNatsServer(server);
      server = await launchNatsServer(port, storeDir);
    },
    stop: async () => {
      await killNatsServer(server);
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
