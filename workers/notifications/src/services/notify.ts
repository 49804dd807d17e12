import type { InternalClient } from '@shop/auth';
import type { ConsumedEvent } from '@shop/events';
import type { Logger } from '@shop/logging';
import { claimEmail, markSent, releaseClaim } from '../data/sent.js';
import type { NotificationsPrisma } from '../data/client.js';
import type { Mailer } from '../mailer.js';
import type { NotificationsMetrics } from '../metrics.js';
import { emailFor } from './emails.js';

export interface NotifyDependencies {
  prisma: NotificationsPrisma;
  /** Signed calls to the users subgraph, where the shopper's address (and a reset's token) is. */
  users: InternalClient;
  mailer: Mailer;
  logger: Logger;
  metrics: NotificationsMetrics;
}

/**
 * Sends the emails order and account events call for, in order, at most one per event: the event's row is
 * claimed before the email goes, so a redelivered event (or one read again after a crash)
 * finds it and sends nothing. An email the mail server did not take gives its claim back and
 * fails the batch, which is read again; one lost in a crash between claim and hand-over is not
 * sent again (at most once, by choice: a duplicate confirmation is worse than a late apology).
 */
export async function notify(events: readonly ConsumedEvent[], stopping: AbortSignal, { prisma, users, mailer, logger, metrics }: NotifyDependencies): Promise<void> {
  for (const event of events) {
    // Stopping ends the batch after the email in flight; the rest are read again at the next start.
    stopping.throwIfAborted();
    const email = emailFor(event.change);
    if (!email) continue;
    if (!(await claimEmail(prisma, { eventId: event.id, kind: email.kind, orderId: email.orderId }))) {
      logger.debug({ eventId: event.id, kind: email.kind }, 'email already sent for this event');
      metrics.email(email.kind, 'already_sent');
      continue;
    }
    let handedOver = false;
    try {
      const written = await email.write(users);
      if (!written) {
        logger.info({ eventId: event.id, kind: email.kind, userId: email.userId }, 'nothing to send (no active account, or a reset no longer open)');
        await markSent(prisma, event.id, null);
        metrics.email(email.kind, 'no_recipient');
        continue;
      }
      await mailer.send({ id: event.id, ...written });
      handedOver = true;
      metrics.email(email.kind, 'sent');
      await markSent(prisma, event.id, written.to);
    } catch (error) {
      // Once handed over, the claim stays (unmarked): sending again could be a duplicate.
      if (!handedOver) {
        metrics.email(email.kind, 'failed');
        await releaseClaim(prisma, event.id).catch((release: unknown) => logger.error({ err: release, eventId: event.id }, 'could not give back an email claim: that email will not be sent'));
      }
      throw error;
    }
  }
}
