import type { CartItem } from '../generated/prisma/client.js';

/** A cart as the schema shows it: its lines (an empty list for a user with no cart yet). */
export interface CartRecord {
  userId: string;
  items: CartItem[];
}
