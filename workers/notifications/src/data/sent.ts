import type { NotificationsPrisma } from './client.js';

/**
 * Takes the event's email for this worker: true when no email was sent (or is being sent) for
 * it yet. The row's key is the event id, so of two deliveries of one event one only wins.
 */
export async function claimEmail(prisma: NotificationsPrisma, claim: { eventId: string; kind: string; orderId: string | null }): Promise<boolean> {
  const inserted = await prisma.$executeRaw`
    INSERT INTO sent_notifications (event_id, kind, order_id) VALUES (${claim.eventId}, ${claim.kind}, ${claim.orderId}::uuid)
    ON CONFLICT (event_id) DO NOTHING`;
  return inserted === 1;
}

export const markSent = (prisma: NotificationsPrisma, eventId: string, recipient: string | null) =>
  prisma.sentNotification.update({ where: { eventId }, data: { recipient, sentAt: new Date() } });

/** Gives a claim back when the mail server refused or could not be reached: the event is read again. */
export const releaseClaim = (prisma: NotificationsPrisma, eventId: string) => prisma.sentNotification.deleteMany({ where: { eventId, sentAt: null } });

export const sentNotifications = (prisma: NotificationsPrisma) => prisma.sentNotification.findMany({ orderBy: { createdAt: 'asc' } });
