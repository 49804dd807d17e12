import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { CatalogPrisma } from '@shop/catalog';
import { testBackends } from '@shop/testing';
import { asRequest, passedRowBound, RowBoundExceeded } from '../src/index.js';
import { catalogDatabase } from './catalog-database.js';

const CATEGORIES = 5;

// A real Prisma client on the counting adapter: Prisma decides which statements run and how
// its transactions end, and the bound must hold whatever it does.
describe.each(testBackends())('the rows one request may load (%s)', (backend) => {
  const suite = catalogDatabase(backend);
  let prisma: CatalogPrisma;

  const sentStatements = () => suite.database.statements.requestStatements;
  const createCategory = (name = `Category ${randomUUID()}`) => prisma.category.create({ data: { name } });

  beforeAll(async () => {
    prisma = suite.prisma;
    for (let index = 0; index < CATEGORIES; index++) await createCategory();
  });

  it('are neither counted nor bounded outside a request (background loops)', async () => {
    const before = sentStatements();
    expect(await prisma.category.findMany()).toHaveLength(CATEGORIES);
    expect(sentStatements()).toBe(before);
    expect(passedRowBound()).toBeUndefined();
  });

  it('may reach the bound', async () => {
    await asRequest(
      async () => {
        expect(await prisma.category.findMany()).toHaveLength(CATEGORIES);
        expect(passedRowBound()).toBeUndefined();
      },
      { maxRows: CATEGORIES },
    );
  });

  it('add up over statements; the one passing the bound fails, and every later one fails without reaching the database', async () => {
    await asRequest(
      async () => {
        await prisma.category.findMany({ take: 3 });
        const sent = sentStatements();
        await expect(prisma.category.findMany({ take: 3 })).rejects.toBeInstanceOf(RowBoundExceeded);
        expect(passedRowBound()).toBe(4);
        expect(sentStatements()).toBe(sent + 1);

        await expect(prisma.category.count()).rejects.toBeInstanceOf(RowBoundExceeded);
        await expect(createCategory()).rejects.toBeInstanceOf(RowBoundExceeded);
        await expect(prisma.$transaction(async (tx) => tx.category.count())).rejects.toBeInstanceOf(RowBoundExceeded);
        expect(sentStatements()).toBe(sent + 1);
      },
      { maxRows: 4 },
    );
  });

  it('bound each request on its own, and leave work outside requests alone', async () => {
    const stopped = asRequest(
      async () => {
        await expect(prisma.category.findMany()).rejects.toBeInstanceOf(RowBoundExceeded);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await expect(prisma.category.findFirst()).rejects.toBeInstanceOf(RowBoundExceeded);
      },
      { maxRows: 1 },
    );
    const beside = asRequest(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(await prisma.category.findMany()).toHaveLength(CATEGORIES);
        expect(passedRowBound()).toBeUndefined();
      },
      { maxRows: CATEGORIES },
    );
    const background = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return prisma.category.findMany();
    })();
    await Promise.all([stopped, beside]);
    expect(await background).toHaveLength(CATEGORIES);
  });

  it('never lets a transaction commit past the bound, even when its code carries on after the refusal', async () => {
    const name = `Written before the stop ${randomUUID()}`;
    await asRequest(
      async () => {
        const transaction = prisma.$transaction(async (tx) => {
          await tx.category.create({ data: { name } });
          await tx.category.findMany().catch(() => []);
          await tx.category.updateMany({ where: { name }, data: { description: 'after the stop' } }).catch(() => null);
        });
        await expect(transaction).rejects.toBeInstanceOf(RowBoundExceeded);
      },
      { maxRows: 1 },
    );
    expect(await prisma.category.count({ where: { name } })).toBe(0);
    // The transaction's connection went back clean: nothing is left open on any of them.
    const open = await prisma.$queryRaw<Array<{ open: number }>>`SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`;
    expect(open).toEqual([{ open: 0 }]);
    expect(await prisma.$transaction(async (tx) => tx.category.count())).toBe(CATEGORIES);
  });
});
