import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailToSend {
  /** Names the message (its file without SMTP): the event's id. */
  id: string;
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: MailToSend): Promise<void>;
  close(): void;
}

/** One delivery may take this long: past it the mail server counts as away, and the event is read again. */
const SEND_TIMEOUT_MS = 10_000;

/**
 * Emails through the SMTP server `smtpUrl` names; with none, each message is written, as the
 * server would have received it, to `<outboxDir>/<id>.eml` (docs/adr/0031).
 */
export function createMailer({ smtpUrl, from, outboxDir }: { smtpUrl: string | null; from: string; outboxDir: string }): Mailer {
  if (smtpUrl) {
    // nodemailer reads a URL's settings from its query, and only from there when given a URL. One
    // connection kept open and reused: a burst of orders is not a handshake per email.
    const url = new URL(smtpUrl);
    const settings = { pool: true, maxConnections: 1, connectionTimeout: SEND_TIMEOUT_MS, greetingTimeout: SEND_TIMEOUT_MS, socketTimeout: SEND_TIMEOUT_MS };
    for (const [key, value] of Object.entries(settings)) if (!url.searchParams.has(key)) url.searchParams.set(key, String(value));
    const transport = nodemailer.createTransport(url.toString());
    return {
      send: async ({ to, subject, text }) => {
        await transport.sendMail({ from, to, subject, text });
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send({ id, to, subject, text }) {
      const { message } = await transport.sendMail({ from, to, subject, text });
      await mkdir(outboxDir, { recursive: true });
      await writeFile(path.join(outboxDir, `${id}.eml`), message as Buffer);
    },
    close: () => transport.close(),
  };
}

/** The mailer, each hand-over timed by its outcome (the worker's send-duration histogram). */
export function timedMailer(mailer: Mailer, observe: (outcome: 'sent' | 'failed', seconds: number) => void): Mailer {
  return {
    async send(mail) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        await mailer.send(mail);
      } catch (error) {
        observe('failed', seconds());
        throw error;
      }
      observe('sent', seconds());
    },
    close: () => mailer.close(),
  };
}
