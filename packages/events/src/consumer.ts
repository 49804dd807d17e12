import { setTimeout as delay } from 'node:timers/promises';
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { internalClient, type InternalClient } from '@shop/auth';
import type { KeyRing, NatsConfig } from '@shop/config';
import { changeSchema, checked, decodeBrokerEvent, eventFeed, outboxPublishers, type Change, type OutboxPublisher, type OutboxTopic } from '@shop/contracts';
import type { Logger } from '@shop/logging';
import type { NatsConnection } from '@nats-io/transport-node';
import { brokerConnection } from './broker.js';
import type { ConsumerObserver } from './metrics.js';

const PAGE = 500;
const READ_TIMEOUT_MS = 5_000;
/** After a failure (the feed's subgraph, NATS or the handler's own store away), how soon a reader tries again. */
const RETRY_AFTER_MS = 1_000;
/** How long one pull of the broker waits for messages: a reconnected consumer pulls again within it. */
const PULL_EXPIRES_MS = 5_000;

/** One outbox event as a consumer gets it, from the broker or from an HTTP feed alike. */
export interface ConsumedEvent {
  /** The event's id (a UUID, the broker's `Nats-Msg-Id`); `<source>:<seq>` from a feed that serves none. */
  id: string;
  source: OutboxPublisher;
  /** Its position in its publisher's feed. */
  seq: string;
  createdAt: string;
  change: Change;
}

/** Where a consumer left off, by position: one per HTTP feed (the publisher's name), one for the broker (`broker:<stream>`). */
export interface ConsumerCheckpoints {
  read(position: string): Promise<string | null>;
  save(position: string, value: string): Promise<void>;
}

export interface EventConsumerOptions {
  /** Names the consumer in logs and to NATS. */
  name: string;
  /** The topics it handles; others are skipped. */
  topics: readonly OutboxTopic[];
  /** Set: read the stream (docs/adr/0030). Null: poll each publisher's HTTP feed. */
  nats: NatsConfig | null;
  /** Each publisher's GraphQL URL, beside which its HTTP feed is served (read only without NATS). */
  feeds: Partial<Record<OutboxPublisher, string>>;
  /** Signs the HTTP feed calls, as the gateway does. */
  gatewayKeys: KeyRing;
  checkpoints: ConsumerCheckpoints;
  /**
   * With no checkpoint yet, the broker is read from its first event (true) or from the next
   * one (false: nothing done so far can be stale, as a cache that starts empty). An HTTP feed is
   * read from its first event either way.
   */
  fromFirstEvent: boolean;
  /**
   * Does what the events ask, in order; the checkpoint moves past them only once it resolved.
   * A failure has them read again later (at least once: a handler keeps what it did by event id
   * when doing it twice would matter). `stopping` is aborted when the consumer stops: a long
   * batch may end early by failing, and is read again at the next start.
   */
  handle(events: ConsumedEvent[], stopping: AbortSignal): Promise<void>;
  /** Pause between reads once an HTTP feed is drained. */
  idleMs: number;
  logger: Logger;
  /** Told of each read and of the events handled, by feed (a publisher, or `broker`): consumerMetrics. */
  observe?: ConsumerObserver;
}

/**
 * Where a consumer stands: `starting` before its first read; `current` when it has read all
 * there is (on the broker: connected, and the stream has nothing more for it); `catching up`
 * while events wait behind those it read (or it reconnected and has not caught up yet); `away`
 * while it cannot read (NATS, or a feed's publisher, unreachable).
 */
export type ConsumerState = 'starting' | 'current' | 'catching up' | 'away';

export interface EventConsumer {
  /** Where it stands now (on HTTP feeds, the worst of its feeds'). */
  state(): ConsumerState;
  stop(): Promise<void>;
}

const lagOf = (caughtUp: boolean, createdAt: string | undefined) =>
  caughtUp || !createdAt ? 0 : Math.max(0, (Date.now() - Date.parse(createdAt)) / 1000);

/**
 * Reads the outbox events of the given topics from where this consumer left off, hands them
 * to `handle` in each publisher's order, and moves the checkpoint past them once handled: a
 * consumer that was down catches up, and nothing is lost. With NATS it reads the stream through
 * an ordered consumer from its checkpoint; without, it polls each publisher's HTTP feed.
 * An event it cannot read is logged and skipped, never waited on.
 */
export function startEventConsumer(options: EventConsumerOptions): EventConsumer {
  const stopping = new AbortController();
  const sleep = (ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
  const states = new Map<string, ConsumerState>();
  const reader: Reader = { options, wanted: new Set(options.topics), signal: stopping.signal, sleep, enter: (feed, state) => void states.set(feed, state) };
  const feeds = options.nats ? ['broker'] : Object.keys(options.feeds);
  for (const feed of feeds) states.set(feed, 'starting');
  const loops = options.nats ? [followBroker(reader, options.nats)] : followFeeds(reader);
  return {
    state: () => worstOf([...states.values()]),
    async stop() {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

interface Reader {
  options: EventConsumerOptions;
  wanted: ReadonlySet<string>;
  signal: AbortSignal;
  sleep(ms: number): Promise<void>;
  /** Records where the reader of `feed` stands. */
  enter(feed: string, state: ConsumerState): void;
}

const stateRank: Record<ConsumerState, number> = { current: 0, 'catching up': 1, starting: 2, away: 3 };
const worstOf = (states: ConsumerState[]): ConsumerState => states.reduce((worst, state) => (stateRank[state] > stateRank[worst] ? state : worst), 'current');

function followFeeds({ options, wanted, signal, sleep, enter }: Reader): Array<Promise<void>> {
  const { logger, checkpoints } = options;
  const follow = async (feed: OutboxPublisher, call: InternalClient) => {
    while (!signal.aborted) {
      try {
        const after = (await checkpoints.read(feed)) ?? '0';
        const { events } = await call(eventFeed, { after, limit: PAGE }, { signal });
        const consumed: ConsumedEvent[] = [];
        for (const event of events) {
          if (!wanted.has(event.topic)) continue;
          const change = checked(changeSchema, { topic: event.topic, payload: event.payload });
          if (change.ok) consumed.push({ id: event.id ?? `${feed}:${event.seq}`, source: feed, seq: event.seq, createdAt: event.createdAt, change: change.value });
          else logger.warn({ feed, seq: event.seq, topic: event.topic, problem: change.message }, `${options.name}: an event it cannot read is skipped`);
        }
        if (consumed.length > 0) await options.handle(consumed, signal);
        if (events.length > 0) await checkpoints.save(feed, events.at(-1)!.seq);
        options.observe?.applied(feed, consumed.length);
        const caughtUp = events.length < PAGE;
        enter(feed, caughtUp ? 'current' : 'catching up');
        options.observe?.read(feed, lagOf(caughtUp, events.at(-1)?.createdAt));
        if (caughtUp) await sleep(options.idleMs);
      } catch (error) {
        if (signal.aborted) return;
        enter(feed, 'away');
        // The subgraph is down or restarting: its events wait in its outbox until it is back.
        logger.debug({ err: error, feed }, `${options.name}: event feed unavailable`);
        await sleep(Math.max(options.idleMs, RETRY_AFTER_MS));
      }
    }
  };
  return (Object.entries(options.feeds) as Array<[OutboxPublisher, string]>).map(([feed, url]) =>
    follow(feed, internalClient({ baseUrl: url, audience: feed, keys: options.gatewayKeys, timeoutMs: READ_TIMEOUT_MS })),
  );
}

async function followBroker({ options, wanted, signal, sleep, enter }: Reader, nats: NatsConfig): Promise<void> {
  const { logger, checkpoints } = options;
  const connection = brokerConnection(nats, options.name);
  const { names } = connection;
  const position = `broker:${names.stream}`;
  // One subject filter (NATS 2.9 takes one): the publisher's wildcard when every topic wanted is one publisher's.
  const publishers = (Object.keys(outboxPublishers) as OutboxPublisher[]).filter((publisher) =>
    (outboxPublishers[publisher] as readonly string[]).some((topic) => wanted.has(topic)),
  );
  const filter = publishers.length === 1 ? { filter_subjects: `${names.subjectPrefix}.${publishers[0]}.>` } : {};
  let away = false;
  let reading: ConsumerMessages | null = null;
  let watched: NatsConnection | null = null;
  let lastLag = 0;
  signal.addEventListener('abort', () => void reading?.stop(), { once: true });

  const apply = async (batch: JsMsg[]) => {
    const consumed: ConsumedEvent[] = [];
    for (const message of batch) {
      const event = decodeBrokerEvent(names, message.subject, message.string());
      if (!event.ok) logger.warn({ stream: names.stream, streamSeq: message.seq, subject: message.subject, problem: event.message }, `${options.name}: an event it cannot read is skipped`);
      else if (wanted.has(event.value.change.topic)) consumed.push({ id: event.value.id, source: event.value.source, seq: event.value.seq, createdAt: event.value.createdAt, change: event.value.change });
    }
    if (consumed.length > 0) await options.handle(consumed, signal);
    const last = batch.at(-1)!;
    await checkpoints.save(position, String(last.seq));
    options.observe?.applied('broker', consumed.length);
    enter('broker', last.info.pending === 0 ? 'current' : 'catching up');
    lastLag = lagOf(last.info.pending === 0, new Date(last.info.timestampNanos / 1e6).toISOString());
    options.observe?.read('broker', lastLag);
  };
  // A quiet stream brings no messages: the pulls and heartbeats of a live consumer are its reads.
  // The server sends a heartbeat only when it has nothing to deliver: the consumer is current;
  // two missed say it is cut off (a silent network), before the client's pings would.
  const observeWhileQuiet = async (statuses: AsyncIterable<{ type: string }>) => {
    for await (const status of statuses) {
      if (status.type === 'heartbeat') enter('broker', 'current');
      if (status.type === 'heartbeats_missed') enter('broker', 'away');
      if (status.type === 'heartbeat' || status.type === 'next') options.observe?.read('broker', lastLag);
    }
  };

  while (!signal.aborted) {
    try {
      const session = await connection.ready();
      const after = Number((await checkpoints.read(position)) ?? '0');
      const consumer = await session.client.consumers.get(names.stream, {
        ...filter,
        ...(after > 0
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 }
          : { deliver_policy: options.fromFirstEvent ? DeliverPolicy.All : DeliverPolicy.New }),
      });
      reading = await consumer.consume({ max_messages: PAGE, expires: PULL_EXPIRES_MS });
      if (signal.aborted) reading.stop();
      enter('broker', 'catching up');
      void observeWhileQuiet(reading.status());
      if (watched !== session.connection) void watchConnection((watched = session.connection).status());
      if (away) {
        away = false;
        logger.info({ stream: names.stream }, `${options.name}: reading events from NATS again`);
      }
      let batch: JsMsg[] = [];
      for await (const message of reading) {
        batch.push(message);
        if (message.info.pending === 0 || batch.length >= PAGE) {
          await apply(batch);
          batch = [];
        }
      }
    } catch (error) {
      if (signal.aborted) break;
      enter('broker', 'away');
      connection.recheckStream();
      if (!away) {
        away = true;
        logger.warn({ err: error, servers: nats.servers, stream: names.stream }, `${options.name}: cannot consume events from NATS; retrying every ${RETRY_AFTER_MS / 1000} s`);
      }
    } finally {
      reading?.stop();
      reading = null;
    }
    if (!signal.aborted) await sleep(RETRY_AFTER_MS);
  }
  await connection.close();

  // Once connected, the client and the ordered consumer carry on by themselves: these lines say when NATS went and came back.
  async function watchConnection(statuses: AsyncIterable<{ type: string }>) {
    for await (const status of statuses) {
      if (status.type === 'disconnect') enter('broker', 'away');
      // Reconnected, the ordered consumer starts again after the last message it saw: current once it caught up.
      if (status.type === 'reconnect') enter('broker', 'catching up');
      if (status.type === 'disconnect' && !away) {
        away = true;
        logger.warn({ servers: nats.servers, stream: names.stream }, `${options.name}: lost NATS; reconnecting`);
      } else if (status.type === 'reconnect' && away) {
        away = false;
        logger.info({ stream: names.stream }, `${options.name}: reading events from NATS again`);
      }
    }
  }
}
