import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { NatsConfig } from '@shop/config';
import { brokerNames, brokerStreamSettings, streamSubjects, type BrokerNames } from '@shop/contracts';

/** The stream as the contract describes it (docs/adr/0028). */
function streamConfig(names: BrokerNames): Partial<StreamConfig> & { name: string; subjects: string[] } {
  return {
    name: names.stream,
    subjects: streamSubjects(names),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(brokerStreamSettings.maxAgeMs),
    duplicate_window: nanos(brokerStreamSettings.duplicateWindowMs),
    num_replicas: 1,
  };
}

/**
 * Makes the stream, or adds the subjects this version publishes to one an older version made.
 * Two services making it at once is fine: the server accepts the same configuration twice.
 */
async function ensureStream(manager: JetStreamManager, names: BrokerNames): Promise<void> {
  const wanted = streamConfig(names);
  let subjects: string[];
  try {
    subjects = (await manager.streams.info(names.stream)).config.subjects ?? [];
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await manager.streams.add(wanted);
    return;
  }
  const missing = wanted.subjects.filter((subject) => !subjects.includes(subject));
  if (missing.length > 0) await manager.streams.update(names.stream, { subjects: [...subjects, ...missing] });
}

interface BrokerSession {
  readonly connection: NatsConnection;
  readonly client: JetStreamClient;
}

/**
 * One connection to NATS, made when first needed and again after it closed, with the stream
 * checked before the first use and again after any failure (a broker may have lost it). Each
 * wait is bounded: connecting by the connect timeout, every API call by the publish timeout.
 * Once connected, the client reconnects by itself, forever.
 */
export function brokerConnection(nats: NatsConfig, name: string) {
  const names = brokerNames(nats);
  let session: Promise<BrokerSession> | null = null;
  let streamChecked = false;
  const open = async (): Promise<BrokerSession> => {
    const connection = await connect({
      servers: nats.servers,
      name,
      timeout: nats.connectTimeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
    });
    void connection.closed().then(() => {
      session = null;
    });
    return { connection, client: jetstream(connection, { timeout: nats.publishTimeoutMs }) };
  };
  return {
    names,
    /** The session, connected and with the stream in place; throws when NATS is away. */
    async ready(): Promise<BrokerSession> {
      const current = (session ??= open());
      let ready: BrokerSession;
      try {
        ready = await current;
      } catch (error) {
        // A connection never made is tried afresh next time; one made reconnects by itself.
        if (session === current) session = null;
        throw error;
      }
      if (!streamChecked) {
        await ensureStream(await jetstreamManager(ready.connection, { timeout: nats.publishTimeoutMs }), names);
        streamChecked = true;
      }
      return ready;
    },
    /** The next ready() checks the stream again. */
    recheckStream() {
      streamChecked = false;
    },
    async close(): Promise<void> {
      const current = session;
      session = null;
      const opened = await current?.catch(() => null);
      await opened?.connection.close();
    },
  };
}

export type BrokerConnection = ReturnType<typeof brokerConnection>;
