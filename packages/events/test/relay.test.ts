import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConfig } from '@shop/config';
import { brokerNames, streamSubjects } from '@shop/contracts';
import { openDatabase, publishPendingEvents, startOutboxRelay, type RawSqlClient, type SerialJob } from '@shop/db';
import { brokerRelayMetrics, startBrokerRelay, type RelayObserver } from '@shop/events/relay';
import type { Logger } from '@shop/logging';
import { Registry } from '@shop/metrics';
import {
  createTestDatabases,
  dropTestStream,
  natsAvailable,
  readTestStream,
  startOwnNats,
  testBackends,
  testNatsConfig,
  type OwnNats,
  type TestDatabases,
} from '@shop/testing';
import pg from 'pg';

const catalogMigrations = new URL('../../../prisma/catalog/migrations', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps what it was told, by level, to read back. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; details: unknown }> = [];
  const record = (level: string) => (details: unknown, message: string) => void lines.push({ level, message, details });
  const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } as unknown as Logger;
  return { logger, lines };
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const runsOnRealServers = natsAvailable && testBackends().includes('postgres');

(runsOnRealServers ? describe : describe.skip)('the outbox relay to NATS JetStream', () => {
  let databases: TestDatabases;
  let pool: pg.Pool;
  let sql: RawSqlClient;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    databases = await createTestDatabases('postgres');
    const config = databases.configs.catalog;
    const database = await openDatabase(config);
    await database.migrate(catalogMigrations);
    await database.close();
    pool = new pg.Pool({ connectionString: config.kind === 'postgres' ? config.url : '', max: 4 });
    sql = {
      $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await pool.query(query, values)).rows as T,
      $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await pool.query(query, values)).rowCount ?? 0,
    };
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await pool?.end();
    await databases?.drop();
  });

  /** Writes `count` stock events in one transaction (one commit), returning their event ids. */
  async function writeEvents(count: number, topic = 'stock.changed'): Promise<string[]> {
    const { rows } = await pool.query<{ event_id: string }>(
      `INSERT INTO outbox_events (topic, aggregate_id, payload)
       SELECT $1, p.id::text, CASE WHEN $1 = 'stock.changed' THEN json_build_object('productId', p.id, 'stockQuantity', n, 'previousStockQuantity', NULL)
                                   ELSE json_build_object('productId', p.id) END
       FROM generate_series(1, $2::int) AS n, LATERAL (SELECT gen_random_uuid() AS id) AS p
       RETURNING event_id::text`,
      [topic, count],
    );
    return rows.map((row) => row.event_id);
  }

  /** The id of every published event catalog may publish (not the one the contract refuses below), in feed order. */
  const feedIds = async () =>
    (
      await pool.query<{ id: string }>(
        `SELECT event_id::text AS id FROM outbox_events WHERE published_seq IS NOT NULL AND topic <> 'order.placed' ORDER BY published_seq`,
      )
    ).rows.map((row) => row.id);
  const lastSeq = async () => (await pool.query<{ seq: string }>('SELECT coalesce(max(published_seq), 0)::text AS seq FROM outbox_events')).rows[0]!.seq;
  const checkpointOf = async (stream: string) =>
    (await pool.query<{ seq: string }>('SELECT last_seq::text AS seq FROM broker_checkpoints WHERE stream = $1', [stream])).rows[0]?.seq ?? '0';

  function relayTo(nats: NatsConfig, logger: Logger, observe?: RelayObserver) {
    const relay = startBrokerRelay({ client: sql, source: 'catalog', nats, logger, intervalMs: 20, observe });
    cleanups.push(() => relay.stop());
    return relay;
  }

  describe('on the shared NATS server, with a stream of its own', () => {
    const nats = testNatsConfig();
    let relay: SerialJob;
    const { logger, lines } = recordingLogger();

    beforeAll(() => {
      cleanups.push(() => dropTestStream(nats));
    });

    it('publishes each outbox event once, in commit order, on its topic\'s subject, with its event id as Nats-Msg-Id', async () => {
      await writeEvents(10);
      await writeEvents(3, 'product.changed');
      await writeEvents(10);
      await publishPendingEvents(sql);
      relay = relayTo(nats, logger);
      const last = await lastSeq();
      await until('the stream acknowledged every event', async () => (await checkpointOf(brokerNames(nats).stream)) === last);

      const stored = await readTestStream(nats);
      expect(stored.map((event) => event.id)).toEqual(await feedIds());
      expect(stored.map((event) => event.messageId)).toEqual(stored.map((event) => event.id));
      expect(stored.map((event) => Number(event.seq))).toEqual(stored.map((_, index) => index + 1));
      expect(stored.every((event) => event.source === 'catalog' && event.version === 1)).toBe(true);
      expect(stored.slice(10, 13).map((event) => event.change.topic)).toEqual(['product.changed', 'product.changed', 'product.changed']);

      const connection = await connect({ servers: nats.servers, timeout: 5_000 });
      const { config } = await (await jetstreamManager(connection)).streams.info(brokerNames(nats).stream);
      await connection.close();
      expect(config.subjects).toEqual(streamSubjects(brokerNames(nats)));
      expect(config.subjects).toContain(`${nats.subjectPrefix}.catalog.stock.changed`);
      expect(config.subjects).toContain(`${nats.subjectPrefix}.orders.order.placed`);
    });

    it('stores an event once when it is published again: after a lost checkpoint, or by hand with its id', async () => {
      const stream = brokerNames(nats).stream;
      const before = await readTestStream(nats);
      // As if the relay crashed after the stream acknowledged, before its checkpoint was saved.
      await relay.stop();
      await pool.query('UPDATE broker_checkpoints SET last_seq = 0 WHERE stream = $1', [stream]);
      relay = relayTo(nats, logger);
      const last = await lastSeq();
      await until('the relay went through the feed again', async () => (await checkpointOf(stream)) === last);

      const [first] = before;
      const connection = await connect({ servers: nats.servers, timeout: 5_000 });
      const again = await jetstream(connection).publish(`${nats.subjectPrefix}.catalog.${first!.change.topic}`, JSON.stringify(first), { msgID: first!.id });
      await connection.close();
      expect(again.duplicate).toBe(true);

      expect(await readTestStream(nats)).toEqual(before);
    });

    it('skips, and logs, an event the contract refuses, rather than hold up the events behind it', async () => {
      const stream = brokerNames(nats).stream;
      const [refused] = await writeEvents(1, 'order.placed'); // not a topic catalog publishes, nor its payload
      const [after] = await writeEvents(1);
      await publishPendingEvents(sql);
      const last = await lastSeq();
      await until('the relay passed both', async () => (await checkpointOf(stream)) === last);

      const ids = (await readTestStream(nats)).map((event) => event.id);
      expect(ids).not.toContain(refused);
      expect(ids.at(-1)).toBe(after);
      expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual(['outbox event breaks the broker contract: not published']);
    });
  });

  describe('on a NATS server of its own, killed in the middle of a burst', () => {
    let own: OwnNats;

    beforeAll(async () => {
      own = await startOwnNats();
      cleanups.push(() => own.stop());
    });

    it('marks nothing sent while the broker is away, then loses nothing and duplicates nothing across 200 events; its metrics show the backlog', async () => {
      const nats = testNatsConfig(own.url);
      const stream = brokerNames(nats).stream;
      const { logger, lines } = recordingLogger();
      const registry = new Registry();
      const observe = brokerRelayMetrics(registry, { client: sql, source: 'catalog', stream });
      /** A metric as a scrape reads it: the sum of its series with these labels. */
      const metric = async (name: string, labels: Record<string, string> = {}) => {
        const { values } = await registry.getSingleMetric(name)!.get();
        const chosen = values.filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted));
        return chosen.reduce((sum, value) => sum + value.value, 0);
      };
      const before = await lastSeq();
      const numbering = startOutboxRelay(sql, logger, { intervalMs: 20, brokerStream: stream });
      cleanups.push(() => numbering.stop());
      // This stream starts from the events already in the outbox: let it catch up first.
      let relay = relayTo(nats, logger, observe);
      await until('the relay caught up', async () => (await checkpointOf(stream)) === before);
      expect(await metric('events_relay_backlog_events')).toBe(0);
      expect(await metric('events_relay_oldest_waiting_seconds')).toBe(0);

      const written: string[] = [];
      const burst = (async () => {
        for (let batch = 0; batch < 20; batch += 1) {
          written.push(...(await writeEvents(10)));
          await sleep(25);
        }
      })();
      await until('the stream took part of the burst', async () => Number(await checkpointOf(stream)) >= Number(before) + 40);
      const warnings = () => lines.filter((line) => line.level === 'warn').map((line) => line.message);
      const warnedBefore = warnings().length;
      await own.kill();
      await burst;
      await until('the burst was numbered', async () => Number(await lastSeq()) === Number(before) + 200);
      await until('the relay noticed the broker is away', async () => warnings().length > warnedBefore);

      // Nothing more is acknowledged, so nothing more is marked sent, however long the broker is away.
      const whileAway = await checkpointOf(stream);
      await sleep(1_500);
      expect(await checkpointOf(stream)).toBe(whileAway);
      expect(Number(whileAway)).toBeLessThan(Number(await lastSeq()));
      // What waits is what a scrape shows: the events past the checkpoint, the oldest of them some time ago.
      expect(await metric('events_relay_backlog_events')).toBe(Number(await lastSeq()) - Number(whileAway));
      expect(await metric('events_relay_oldest_waiting_seconds')).toBeGreaterThan(1);
      expect(await metric('events_relay_failures_total')).toBeGreaterThan(0);
      expect(warnings().slice(warnedBefore)).toEqual([
        'cannot relay outbox events to NATS: they wait in the outbox; retrying every 1 s',
      ]);

      // The relay restarts too, while the broker is away: its successor starts from the checkpoint.
      await relay.stop();
      relay = relayTo(nats, logger, observe);
      await until('the new relay found the broker away', async () => warnings().length === warnedBefore + 2);
      await own.restart();
      const last = await lastSeq();
      await until('the relay caught up after the broker came back', async () => (await checkpointOf(stream)) === last, 20_000);
      expect(lines.filter((line) => line.level === 'info').map((line) => line.message)).toContain('relaying outbox events to NATS again');

      const stored = await readTestStream(nats);
      const ids = stored.map((event) => event.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(await feedIds());
      expect(ids.slice(-200)).toEqual(written);
      // Each event in the stream was counted published once; a repeat the stream dropped, as a duplicate.
      expect(await metric('events_relay_events_total', { outcome: 'published' })).toBe(stored.length);
      expect(await metric('events_relay_events_total', { outcome: 'refused' })).toBe(1);
      expect(await metric('events_relay_backlog_events')).toBe(0);
    });
  });
});
