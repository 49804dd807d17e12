import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type Database } from '@shop/db';
import { createLogger } from '@shop/logging';
import { createTestPglite, type TestPglite } from '@shop/testing/subgraph';
import { createPrisma, DEMO_ADMIN, migrationsDir, seedUsers, type UsersPrisma } from '../src/index.js';

describe('the demo accounts', () => {
  let files: TestPglite;
  let database: Database;
  let prisma: UsersPrisma;
  const logger = createLogger('seed-test', 'silent');

  beforeAll(async () => {
    files = await createTestPglite();
    database = await openDatabase(files.config);
    await database.migrate(migrationsDir);
    prisma = createPrisma(database);
    await seedUsers(prisma, logger);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await database.close();
    await files.drop();
  });

  it('creates the demo admin with an argon2id hash, and a few users', async () => {
    const admin = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_ADMIN.email } });
    expect(admin.role).toBe('ADMIN');
    expect(admin.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(admin.passwordHash).not.toContain(DEMO_ADMIN.password);
    expect(await prisma.user.count({ where: { role: 'USER' } })).toBeGreaterThanOrEqual(2);
  });

  it('gives each demo shopper a saved address, its default, and none to the others', async () => {
    const shoppers = await prisma.user.findMany({ where: { role: 'USER' }, include: { addresses: true } });
    expect(shoppers.length).toBeGreaterThanOrEqual(2);
    for (const shopper of shoppers) {
      expect(shopper.addresses).toHaveLength(1);
      expect(shopper.defaultAddressId).toBe(shopper.addresses[0]!.id);
    }
    expect(await prisma.address.count({ where: { user: { role: { not: 'USER' } } } })).toBe(0);
    const alice = shoppers.find((shopper) => shopper.email === 'alice@example.com')!;
    expect(alice.addresses[0]).toMatchObject({ fullName: 'Alice Martin', city: 'Paris', country: 'FR' });
  });

  it('is idempotent and leaves existing passwords alone', async () => {
    const before = await prisma.user.findMany({ orderBy: { email: 'asc' } });
    await prisma.user.update({ where: { email: DEMO_ADMIN.email }, data: { passwordHash: 'changed-since' } });
    const changed = await prisma.user.findMany({ orderBy: { email: 'asc' } });
    await seedUsers(prisma, logger);
    expect(await prisma.user.findMany({ orderBy: { email: 'asc' } })).toEqual(changed);
    expect(changed).not.toEqual(before);
  });

  it('leaves a demo shopper without the address it removed', async () => {
    const bob = await prisma.user.findUniqueOrThrow({ where: { email: 'bob@example.com' } });
    await prisma.address.deleteMany({ where: { userId: bob.id } });
    await seedUsers(prisma, logger);
    expect(await prisma.address.count({ where: { userId: bob.id } })).toBe(0);
  });
});
