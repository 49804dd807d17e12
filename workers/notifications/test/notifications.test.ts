import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConfig } from '@shop/config';
import { BROKER_CONTRACT_VERSION, brokerNames, encodeBrokerEvent, EventTopic, type BrokerEventDraft } from '@shop/contracts';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { brokerConnection } from '@shop/events';
import { createLogger } from '@shop/logging';
import { freePort, natsAvailable, startOwnNats, testNatsConfig, type OwnNats } from '@shop/testing';
import { aloneSubgraph } from '@shop/testing/subgraph';
import { startUsers, type UsersPrisma } from '@shop/users';
import { userBuilders, usersTestSettings } from '@shop/users/testing';
import { SMTPServer } from 'smtp-server';
import { sentNotifications, startNotifications, type NotificationsOptions, type RunningNotifications } from '../src/index.js';

const BURST = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

interface Received {
  to: string;
  subject: string;
  body: string;
}

/** An SMTP server of the test's own that keeps every message it was given. */
async function startSmtpServer() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
        received.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','),
          subject: /^Subject: (.*)$/m.exec(head)?.[1] ?? '',
          body: rest.join('\n\n'),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

(natsAvailable ? describe : describe.skip)('the notifications worker', () => {
  let nats: OwnNats;
  let natsConfig: NatsConfig;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let users: RunningSubgraph<UsersPrisma>;
  let alone: Awaited<ReturnType<typeof aloneSubgraph>>;
  let shoppers: Array<{ id: string; email: string }>;
  let outboxDir: string;
  const workers: RunningNotifications[] = [];
  let seq = 0;

  beforeAll(async () => {
    [nats, smtp, alone] = await Promise.all([startOwnNats(), startSmtpServer(), aloneSubgraph('users')]);
    natsConfig = testNatsConfig(nats.url);
    users = await startUsers({
      ...alone.options,
      seedDemoData: false,
      ...usersTestSettings(),
    });
    const build = userBuilders(users.prisma);
    shoppers = await Promise.all([build.user({ firstName: 'Alice' }), build.user({ firstName: 'Bob' }), build.user()]);
    outboxDir = await mkdtemp(path.join(tmpdir(), 'notifications-'));
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await users?.stop();
    await alone?.dropDatabase();
    await smtp?.stop();
    await nats?.stop();
    if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
  });

  /** The worker on an in-memory database of its own (one per test), reading the test's stream. */
  async function startWorker(database: NotificationsOptions['database'], overrides: Partial<NotificationsOptions> = {}) {
    const worker = await startNotifications({
      database,
      migrate: true,
      nats: natsConfig,
      usersUrl: users.url,
      ordersUrl: 'http://127.0.0.1:9/graphql',
      gatewayKeys: alone.options.gatewayKeys,
      smtpUrl: smtp.url,
      from: 'Shop <orders@shop.example>',
      host: '127.0.0.1',
      port: 0,
      outboxDir,
      pollMs: 50,
      logger: createLogger('test-notifications', 'error'),
      ...overrides,
    });
    workers.push(worker);
    return worker;
  }

  /** Publishes events as the orders relay does (the contract's message, its id as Nats-Msg-Id). */
  async function publish(changes: Array<BrokerEventDraft['change']>, messageIds?: string[]): Promise<string[]> {
    // The stream as a relay makes it.
    const relaySide = brokerConnection(natsConfig, 'test publisher');
    await relaySide.ready();
    await relaySide.close();
    const connection = await connect({ servers: nats.url });
    try {
      const js = jetstream(connection);
      const ids: string[] = [];
      for (const [index, change] of changes.entries()) {
        const id = messageIds?.[index] ?? randomUUID();
        const message = encodeBrokerEvent(brokerNames(natsConfig), {
          version: BROKER_CONTRACT_VERSION,
          id,
          source: 'orders',
          seq: String(++seq),
          aggregateId: (change.payload as { orderId: string }).orderId,
          createdAt: new Date().toISOString(),
          change,
        });
        if (!message.ok) throw new Error(message.message);
        // A fresh Nats-Msg-Id when asked to: the broker then stores a repeat, as it would past its duplicate window.
        const send = () => js.publish(message.value.subject, message.value.data, { msgID: messageIds ? randomUUID() : id, timeout: 5_000 });
        // Just after a restart the broker may not yet answer for its streams ("no responders"),
        // and a relay sends again: so does this one, for a bounded while.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const sent = await send().then(
            () => true,
            (error: Error) => {
              if (Date.now() > deadline || !/no responders|jetstream is not enabled/i.test(`${error.message} ${String(error.cause)}`)) throw error;
              return false;
            },
          );
          if (sent) break;
          await sleep(100);
        }
        ids.push(id);
      }
      return ids;
    } finally {
      await connection.close();
    }
  }

  const placed = (orderId: string, userId: string, total: string) => ({
    topic: EventTopic.ORDER_PLACED,
    payload: { orderId, userId, total, currency: 'EUR', productIds: [randomUUID()] },
  });

  it('emails one confirmation per order, with its number and total, through a broker restart and a killed worker in the middle of a burst', async () => {
    const memory = { kind: 'pglite' as const, dataDir: await mkdtemp(path.join(tmpdir(), 'notifications-db-')) };
    const first = smtp.received.length;
    await startWorker(memory);
    const orders = Array.from({ length: BURST }, (_, index) => ({ orderId: randomUUID(), shopper: shoppers[index % 2]!, total: `${10 + index}.50` }));
    const publishing = publish(orders.slice(0, BURST / 2).map(({ orderId, shopper, total }) => placed(orderId, shopper.id, total)));

    // Midway: the broker dies and comes back, and the worker is killed and started again on its database.
    await until('some confirmations are sent', () => smtp.received.length - first >= 10);
    await publishing;
    await nats.kill();
    await workers.pop()!.stop();
    // Started while the broker is away: it serves, and reads once the broker is back.
    await startWorker(memory);
    await nats.restart();
    await publish(orders.slice(BURST / 2).map(({ orderId, shopper, total }) => placed(orderId, shopper.id, total)));

    await until('every order has its confirmation', () => smtp.received.length - first >= BURST);
    await sleep(500);
    const mails = smtp.received.slice(first);
    expect(mails).toHaveLength(BURST);
    const byOrder = new Map(mails.map((mail) => [/Order number: (\S+)/.exec(mail.body)?.[1], mail]));
    expect(byOrder.size).toBe(BURST);
    for (const { orderId, shopper, total } of orders) {
      const mail = byOrder.get(orderId)!;
      expect({ to: mail.to, subject: mail.subject, total: /Total: (.*)/.exec(mail.body)?.[1]?.trim() }).toEqual({
        to: shopper.email,
        subject: `Your order ${orderId} is confirmed`,
        total: `${total} EUR`,
      });
    }
    expect(mails.find((mail) => mail.to === shoppers[0]!.email)!.body).toContain('Hello Alice,');
    for (const worker of workers.splice(0)) await worker.stop();
    await rm(memory.dataDir, { recursive: true, force: true });
  }, 60_000);

  /** The worker's series of `name` with these labels, as Prometheus scrapes them: the sum of their values. */
  async function scraped(worker: RunningNotifications, name: string, labels: Record<string, string> = {}): Promise<number> {
    const exposition = await (await fetch(worker.metricsUrl!)).text();
    const series = exposition.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
    const matching = series.filter((line) => Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`)));
    return matching.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }
  const metricsEndpoint = { metrics: { port: 0, host: '127.0.0.1', token: null } };

  it('sends nothing twice for an event delivered again, and tells of shipping and cancelling; its metrics count each', async () => {
    natsConfig = testNatsConfig(nats.url);
    const worker = await startWorker({ kind: 'pglite', dataDir: null }, metricsEndpoint);
    const first = smtp.received.length;
    const orderId = randomUUID();
    const shopper = shoppers[2]!;
    const [placedId] = await publish([placed(orderId, shopper.id, '42.00')]);
    // The same event again (past the broker's duplicate window), then the order's later life.
    await publish([placed(orderId, shopper.id, '42.00')], [placedId!]);
    await publish([
      { topic: EventTopic.ORDER_STATUS_CHANGED, payload: { orderId, userId: shopper.id, from: 'PENDING', to: 'PAID' } },
      { topic: EventTopic.ORDER_STATUS_CHANGED, payload: { orderId, userId: shopper.id, from: 'PAID', to: 'SHIPPED' } },
      { topic: EventTopic.ORDER_CANCELLED, payload: { orderId: randomUUID(), userId: shopper.id, from: 'PENDING', to: 'CANCELLED' } },
    ]);
    await until('the cancellation is sent', async () => (await sentNotifications(worker.prisma)).some((sent) => sent.kind === 'order_cancelled'));
    await sleep(300);
    const mine = smtp.received.slice(first).filter((mail) => mail.to === shopper.email);
    expect(mine.map((mail) => mail.subject)).toEqual([`Your order ${orderId} is confirmed`, `Your order ${orderId} has shipped`, expect.stringMatching(/ is cancelled$/)]);
    expect(mine[0]!.body).toContain('Hello there,');

    expect(await scraped(worker, 'notifications_emails_total', { kind: 'order_confirmation', outcome: 'sent' })).toBe(1);
    expect(await scraped(worker, 'notifications_emails_total', { kind: 'order_confirmation', outcome: 'already_sent' })).toBe(1);
    expect(await scraped(worker, 'notifications_emails_total', { kind: 'order_shipped', outcome: 'sent' })).toBe(1);
    expect(await scraped(worker, 'notifications_emails_total', { kind: 'order_cancelled', outcome: 'sent' })).toBe(1);
    expect(await scraped(worker, 'notifications_emails_total', { outcome: 'failed' })).toBe(0);
    expect(await scraped(worker, 'notifications_email_send_duration_seconds_count', { outcome: 'sent' })).toBe(3);
    // Five events read (the repeat and the order paid among them), and nothing waits behind them.
    expect(await scraped(worker, 'notifications_events_applied_total', { feed: 'broker' })).toBe(5);
    expect(await scraped(worker, 'notifications_event_feed_lag_seconds', { feed: 'broker' })).toBe(0);
    expect(await scraped(worker, 'notifications_event_feed_last_read_timestamp_seconds', { feed: 'broker' })).toBeGreaterThan(Date.now() / 1000 - 30);
    const ready = await fetch(`${worker.url}/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: unknown }).checks).toEqual({ events: { source: 'broker', state: 'current' } });
    await worker.stop();
  }, 60_000);

  it('counts an email the mail server does not take as failed, and tries it again', async () => {
    natsConfig = testNatsConfig(nats.url);
    const nobody = `smtp://127.0.0.1:${await freePort()}`;
    const worker = await startWorker({ kind: 'pglite', dataDir: null }, { ...metricsEndpoint, smtpUrl: nobody });
    await publish([placed(randomUUID(), shoppers[0]!.id, '3.00')]);
    await until('the email failed twice', async () => (await scraped(worker, 'notifications_emails_total', { kind: 'order_confirmation', outcome: 'failed' })) >= 2);
    expect(await scraped(worker, 'notifications_email_send_duration_seconds_count', { outcome: 'failed' })).toBeGreaterThanOrEqual(2);
    expect(await scraped(worker, 'notifications_emails_total', { outcome: 'sent' })).toBe(0);
    // Not handled yet: the checkpoint has not moved past it.
    expect(await scraped(worker, 'notifications_events_applied_total')).toBe(0);
    expect((await sentNotifications(worker.prisma)).length).toBe(0);
    await worker.stop();
  }, 60_000);

  it('writes each message as an .eml file under the data folder when there is no SMTP server', async () => {
    natsConfig = testNatsConfig(nats.url);
    const dir = path.join(outboxDir, 'eml');
    const worker = await startWorker({ kind: 'pglite', dataDir: null }, { smtpUrl: null, outboxDir: dir });
    const orderId = randomUUID();
    const [eventId] = await publish([placed(orderId, shoppers[0]!.id, '7.25')]);
    const written = `${eventId}.eml`;
    await until('the message is written', async () => (await readdir(dir).catch((): string[] => [])).includes(written));
    const eml = await readFile(path.join(dir, `${eventId}.eml`), 'utf8');
    expect(eml).toContain(`To: ${shoppers[0]!.email}`);
    expect(eml).toContain(`Order number: ${orderId}`);
    expect(eml).toContain('Total: 7.25 EUR');
    await worker.stop();
  }, 60_000);
});
