import { EventTopic, type Change } from '@shop/contracts';

export type EmailKind = 'order_confirmation' | 'order_shipped' | 'order_cancelled';

/** What an event asks to tell a shopper, before the shopper's address is known. */
export interface EmailToWrite {
  kind: EmailKind;
  orderId: string;
  userId: string;
  subject: string;
  /** The body, after the greeting. */
  lines: string[];
}

/** The email an order event calls for; null for a change no shopper is told about (an order paid, delivered). */
export function emailFor(change: Change): EmailToWrite | null {
  switch (change.topic) {
    case EventTopic.ORDER_PLACED: {
      const { orderId, userId, total, currency } = change.payload;
      return {
        kind: 'order_confirmation',
        orderId,
        userId,
        subject: `Your order ${orderId} is confirmed`,
        lines: ['Thank you for your order.', `Order number: ${orderId}`, `Total: ${total} ${currency}`],
      };
    }
    case EventTopic.ORDER_STATUS_CHANGED:
    case EventTopic.ORDER_CANCELLED: {
      const { orderId, userId, to } = change.payload;
      if (to === 'SHIPPED') return { kind: 'order_shipped', orderId, userId, subject: `Your order ${orderId} has shipped`, lines: ['Your order is on its way.', `Order number: ${orderId}`] };
      if (to === 'CANCELLED') return { kind: 'order_cancelled', orderId, userId, subject: `Your order ${orderId} is cancelled`, lines: ['Your order was cancelled.', `Order number: ${orderId}`] };
      return null;
    }
    default:
      return null;
  }
}

/** The text of the email, addressed to the shopper by first name when known. */
export const emailText = (email: EmailToWrite, firstName: string | null) => [`Hello ${firstName ?? 'there'},`, '', ...email.lines, '', 'Commerce supergraph'].join('\n');
