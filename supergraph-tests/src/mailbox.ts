import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@shop/logging';
import { startNotifications } from '@shop/notifications';
import type { TestSupergraph } from './supergraph.js';

export interface Mailbox {
  /** The messages written so far to this address (raw .eml text), oldest first. */
  mailsTo(email: string): Promise<string[]>;
  /** Waits until at least `count` messages to this address are there; returns them all. */
  waitForMails(email: string, count: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * The notifications worker on the supergraph's events (the stream with NATS, else the HTTP
 * feeds), writing what it sends as .eml files to a folder of the test's own (no SMTP_URL).
 */
export async function startMailbox(supergraph: TestSupergraph): Promise<Mailbox> {
  const outboxDir = await mkdtemp(path.join(tmpdir(), 'supergraph-mail-'));
  const worker = await startNotifications({
    database: { kind: 'pglite', dataDir: null },
    migrate: true,
    nats: supergraph.nats,
    usersUrl: supergraph.users.url,
    ordersUrl: supergraph.orders.url,
    gatewayKeys: supergraph.gatewayKeys,
    smtpUrl: null,
    from: 'Shop <orders@shop.example>',
    host: '127.0.0.1',
    port: 0,
    outboxDir,
    pollMs: 50,
    logger: createLogger('test-notifications', 'error'),
  });
  const mailsTo = async (email: string) => {
    const files = await readdir(outboxDir).catch((): string[] => []);
    const written = await Promise.all(
      files.map(async (file) => {
        const full = path.join(outboxDir, file);
        const [text, { mtimeMs }] = await Promise.all([readFile(full, 'utf8'), stat(full)]);
        return { text, writtenAt: mtimeMs };
      }),
    );
    return written
      .filter(({ text }) => text.includes(`To: ${email}`))
      .sort((a, b) => a.writtenAt - b.writtenAt)
      .map(({ text }) => text);
  };
  return {
    mailsTo,
    async waitForMails(email, count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let mails = await mailsTo(email);
      while (mails.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        mails = await mailsTo(email);
      }
      return mails;
    },
    async stop() {
      await worker.stop();
      await rm(outboxDir, { recursive: true, force: true });
    },
  };
}
