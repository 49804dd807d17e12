import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type Database } from '@shop/db';
import { createOrResetAdmin, createPrisma, migrationsDir, type UsersPrisma } from '../src/index.js';
import { verifyPassword } from '../src/services/passwords.js';
import { userBuilders } from './builders.js';

describe('the first admin (npm run admin:create)', () => {
  let database: Database;
  let prisma: UsersPrisma;

  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
    await database.migrate(migrationsDir);
    prisma = createPrisma(database);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await database.close();
  });

  const sessionOf = (userId: string) =>
    prisma.userSession.create({ data: { userId, familyId: randomUUID(), tokenHash: randomUUID(), expiresAt: new Date(Date.now() + 60_000) } });

  it('creates an active admin with the password hashed, and a username from the email', async () => {
    const email = `ops-${randomUUID().slice(0, 8)}@shop.test`;
    expect(await createOrResetAdmin(prisma, { email, password: 'first-admin-password' })).toBe('created');
    const admin = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(admin).toMatchObject({ role: 'ADMIN', isActive: true, username: email.split('@')[0] });
    expect(await verifyPassword(admin.passwordHash, 'first-admin-password')).toBe(true);
  });

  it('gives a username of its own when the email\'s is taken', async () => {
    const taken = await userBuilders(prisma).user();
    const email = `${taken.username}@Elsewhere.test`;
    await createOrResetAdmin(prisma, { email, password: 'another-admin-password' });
    const admin = await prisma.user.findUniqueOrThrow({ where: { email: email.toLowerCase() } });
    expect(admin.username).toMatch(new RegExp(`^${taken.username}-[0-9a-f]{8}$`));
  });

  it('resets an account to an active admin with the new password, and signs out its sessions', async () => {
    const user = await userBuilders(prisma).user({ role: 'USER', isActive: false });
    const session = await sessionOf(user.id);
    expect(await createOrResetAdmin(prisma, { email: user.email, password: 'the-reset-password' })).toBe('reset');
    const admin = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(admin).toMatchObject({ role: 'ADMIN', isActive: true, username: user.username });
    expect(await verifyPassword(admin.passwordHash, 'the-reset-password')).toBe(true);
    expect(await verifyPassword(admin.passwordHash, user.password)).toBe(false);
    expect((await prisma.userSession.findUniqueOrThrow({ where: { id: session.id } })).revokedAt).not.toBeNull();
  });
});
