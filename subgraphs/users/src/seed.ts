import { stableUuid } from '@shop/db';
import type { Logger } from '@shop/logging';
import type { Prisma } from './generated/prisma/client.js';
import type { UsersPrisma } from './data/client.js';
import { hashPassword } from './services/passwords.js';

/** The password of the demo shoppers and partner: published, like the demo admin's. */
export const DEMO_PASSWORD = 'demo-password-123';

/** The demo admin, for development only: a real admin is made with `npm run admin:create` (docs/adr/0025). */
export const DEMO_ADMIN = { email: 'admin@example.com', password: 'admin-password-123' } as const;

const demoAccounts = [
  { email: 'alice@example.com', username: 'alice', firstName: 'Alice', lastName: 'Martin', role: 'USER' },
  { email: 'bob@example.com', username: 'bob', firstName: 'Bob', lastName: 'Nguyen', role: 'USER' },
  { email: 'carol@example.com', username: 'carol', firstName: 'Carol', lastName: 'Okafor', role: 'USER' },
  { email: 'partner@example.com', username: 'acme-partner', firstName: 'Acme', lastName: 'Resale', role: 'PARTNER' },
] as const;

/** Idempotent: accounts that exist (by email) are left as they are, passwords included. */
export async function seedUsers(prisma: UsersPrisma, logger: Logger): Promise<void> {
  const accounts: Array<Omit<Prisma.UserCreateManyInput, 'passwordHash'> & { password: string }> = [
    { email: DEMO_ADMIN.email, username: 'admin', firstName: 'Ada', lastName: 'Admin', role: 'ADMIN', password: DEMO_ADMIN.password },
    ...demoAccounts.map((account) => ({ ...account, password: DEMO_PASSWORD })),
  ];
  const existing = await prisma.user.findMany({
    where: { email: { in: accounts.map((account) => account.email) } },
    select: { email: true },
  });
  const known = new Set(existing.map((user) => user.email));
  const missing = accounts.filter((account) => !known.has(account.email));
  const data: Prisma.UserCreateManyInput[] = await Promise.all(
    missing.map(async ({ password, ...account }) => ({
      ...account,
      id: stableUuid(`user:${account.email}`),
      passwordHash: await hashPassword(password),
    })),
  );
  const created = await prisma.user.createMany({ data, skipDuplicates: true });
  logger.info({ created: created.count, total: accounts.length }, 'demo users seeded');
}
