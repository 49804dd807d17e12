import { randomBytes } from 'node:crypto';
import type { AdminConfig } from '@shop/config';
import type { UsersPrisma } from '../data/client.js';
import { createUser, findUserByEmail, isUsernameTaken, resetAdminEverywhere } from '../data/users.js';
import { hashPassword } from './passwords.js';

/** A username from the email's local part (3 to 30 of the characters usernames allow), made unique. */
async function freeUsername(prisma: UsersPrisma, email: string): Promise<string> {
  const base = email.split('@', 1)[0]!.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 20).padEnd(3, '_');
  if (!(await isUsernameTaken(prisma, base))) return base;
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/**
 * The operator's way in (`npm run admin:create`, docs/adr/0025): creates the account as an
 * admin, or makes the existing one an active admin with this password and signs out every
 * session it had, so that a reset also locks out whoever knew the old password.
 */
export async function createOrResetAdmin(prisma: UsersPrisma, admin: AdminConfig, now = new Date()): Promise<'created' | 'reset'> {
  const email = admin.email.toLowerCase(); // as every email is stored
  const passwordHash = await hashPassword(admin.password);
  const existing = await findUserByEmail(prisma, email);
  if (existing) {
    await resetAdminEverywhere(prisma, existing.id, passwordHash, now);
    return 'reset';
  }
  await createUser(prisma, { email, username: await freeUsername(prisma, email), passwordHash, role: 'ADMIN' });
  return 'created';
}
