import type { UsersPrisma } from '../data/client.js';
import { findContact } from '../data/users.js';

/** Where to write to a shopper; none for an account that is gone or deactivated. */
export async function contactOf(prisma: UsersPrisma, userId: string): Promise<{ email: string; firstName: string | null } | null> {
  const user = await findContact(prisma, userId);
  return user?.isActive ? { email: user.email, firstName: user.firstName } : null;
}
