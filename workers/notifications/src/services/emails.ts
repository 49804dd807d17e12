import type { InternalClient } from '@shop/auth';
import { EventTopic, passwordResetToken, shopperContact, type Change } from '@shop/contracts';

export type EmailKind = 'order_confirmation' | 'order_shipped' | 'order_cancelled' | 'password_reset';

/** A message ready to hand to the mail server. */
export interface Email {
  to: string;
  subject: string;
  text: string;
}

/** What an event asks to send, before users told where to (and, for a reset, the token). */
export interface EmailToWrite {
  kind: EmailKind;
  /** The order it is about; null for an account's email. */
  orderId: string | null;
  userId: string;
  /** Asks the users subgraph what the email needs; null: nothing to send (no active account, a reset no longer open). */
  write(users: InternalClient): Promise<Email | null>;
}

/** The text of an email, addressed by first name when known. */
const letter = (firstName: string | null, lines: readonly string[]) => [`Hello ${firstName ?? 'there'},`, '', ...lines, '', 'Commerce supergraph'].join('\n');

/** An email to the shopper's address (the shopperContact endpoint). */
function toShopper(kind: EmailKind, orderId: string, userId: string, subject: string, lines: string[]): EmailToWrite {
  return {
    kind,
    orderId,
    userId,
    async write(users) {
      const { contact } = await users(shopperContact, { userId });
      return contact && { to: contact.email, subject, text: letter(contact.firstName, lines) };
    },
  };
}

/**
 * The token of a reset, which users mints for this call only (docs/adr/0035): it is in the
 * email and nowhere else, neither in the event nor in this worker's database.
 */
function passwordReset(userId: string, resetRequestId: string): EmailToWrite {
  return {
    kind: 'password_reset',
    orderId: null,
    userId,
    async write(users) {
      const { reset } = await users(passwordResetToken, { userId, resetRequestId });
      return (
        reset && {
          to: reset.email,
          subject: 'Reset your password',
          text: letter(reset.firstName, [
            'Someone, hopefully you, asked to reset the password of your account.',
            `Your reset token: ${reset.token}`,
            `It works once, until ${reset.expiresAt} (resetPassword). Every session of the account is signed out when it is used.`,
            'If you did not ask for it, ignore this email: your password stays as it is.',
          ]),
        }
      );
    },
  };
}

/** The email an event calls for; null for a change no one is told about (an order paid, delivered). */
export function emailFor(change: Change): EmailToWrite | null {
  switch (change.topic) {
    case EventTopic.ORDER_PLACED: {
      const { orderId, userId, total, currency } = change.payload;
      return toShopper('order_confirmation', orderId, userId, `Your order ${orderId} is confirmed`, [
        'Thank you for your order.',
        `Order number: ${orderId}`,
        `Total: ${total} ${currency}`,
      ]);
    }
    case EventTopic.ORDER_STATUS_CHANGED:
    case EventTopic.ORDER_CANCELLED: {
      const { orderId, userId, to } = change.payload;
      if (to === 'SHIPPED') return toShopper('order_shipped', orderId, userId, `Your order ${orderId} has shipped`, ['Your order is on its way.', `Order number: ${orderId}`]);
      if (to === 'CANCELLED') return toShopper('order_cancelled', orderId, userId, `Your order ${orderId} is cancelled`, ['Your order was cancelled.', `Order number: ${orderId}`]);
      return null;
    }
    case EventTopic.PASSWORD_RESET_REQUESTED:
      return passwordReset(change.payload.userId, change.payload.resetRequestId);
    default:
      return null;
  }
}
