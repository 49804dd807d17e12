import { postalAddressSchema, type PostalAddressInput } from '@shop/contracts';
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

/** Each demo shopper's saved (and default) address, so checkout with `{ addressId }` works out of the box. */
const demoAddresses: Record<string, PostalAddressInput> = {
  'alice@example.com': { fullName: 'Alice Martin', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR', phone: '+33 1 23 45 67 89' },
  'bob@example.com': { fullName: 'Bob Nguyen', line1: '1 Main Street', line2: 'Apt 4', city: 'Boston', region: 'MA', postalCode: '02110', country: 'US' },
  'carol@example.com': { fullName: 'Carol Okafor', line1: '221B Baker Street', city: 'London', postalCode: 'NW1 6XE', country: 'GB' },
};

/**
 * Idempotent: accounts that exist (by email) are left as they are, passwords and addresses
 * included; a demo shopper created now gets its address as its default.
 */
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
  const addresses = data.flatMap(({ id, email }) => {
    const address = demoAddresses[email];
    return address ? [{ id: stableUuid(`address:${email}`), userId: id!, ...postalAddressSchema.parse(address) }] : [];
  });
  const created = await prisma.$transaction(async (tx) => {
    const users = await tx.user.createMany({ data, skipDuplicates: true });
    await tx.address.createMany({ data: addresses, skipDuplicates: true });
    for (const address of addresses) {
      await tx.user.updateMany({ where: { id: address.userId, defaultAddressId: null }, data: { defaultAddressId: address.id } });
    }
    return users;
  });
  logger.info({ created: created.count, total: accounts.length, addresses: addresses.length }, 'demo users seeded');
}
