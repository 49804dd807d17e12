import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrisma, migrationsDir, type CatalogPrisma } from '@shop/catalog';
import { alignById, asRequest, databaseWasUnavailable, openDatabase, RowBoundExceeded, sharedReads, type Database } from '../src/index.js';

const roomy = { maxRows: 1_000 };

/** Categories by id, shared by the requests of the process, on a real Prisma client and PGlite. */
async function sharedCategories() {
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  await database.migrate(migrationsDir);
  const prisma = createPrisma(database);
  const read = sharedReads(async (ids) => alignById(ids, await prisma.category.findMany({ where: { id: { in: [...ids] } } })));
  return { database, prisma, read };
}

/** Started in the same turn of the event loop, as requests whose bytes arrived together. */
const together = <T>(reads: Array<() => Promise<T>>) => Promise.all(reads.map((read) => read()));

describe('reads shared by the requests in flight', () => {
  let database: Database;
  let prisma: CatalogPrisma;
  let read: Awaited<ReturnType<typeof sharedCategories>>['read'];
  const sent = () => database.statements.requestStatements;
  const createCategory = () => prisma.category.create({ data: { name: `Category ${randomUUID()}` } });

  beforeAll(async () => {
    ({ database, prisma, read } = await sharedCategories());
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.close();
  });

  it('send the ids every request asks in one turn as one statement, and answer each request its own ids in order', async () => {
    const [a, b, c] = [await createCategory(), await createCategory(), await createCategory()];
    const unknown = randomUUID();
    const before = sent();
    const answers = await together([
      () => asRequest(() => read([a.id, unknown]), roomy),
      () => asRequest(() => read([c.id, b.id, a.id]), roomy),
      () => asRequest(() => read([b.id]), roomy),
    ]);
    expect(answers.map((values) => values.map((category) => category?.name ?? null))).toEqual([
      [a.name, null],
      [c.name, b.name, a.name],
      [b.name],
    ]);
    expect(sent() - before).toBe(1);
  });

  it('never join a statement already sent: a request that wrote, then reads, sees its write', async () => {
    const category = await createCategory();
    const before = sent();
    const first = asRequest(() => read([category.id]), roomy);
    await new Promise((resolve) => setImmediate(resolve));
    const renamed = await asRequest(async () => {
      await prisma.category.update({ where: { id: category.id }, data: { name: 'Renamed' } });
      return read([category.id]);
    }, roomy);
    expect((await first)[0]!.name).toBe(category.name);
    expect(renamed[0]!.name).toBe('Renamed');
    expect(sent() - before).toBe(3);
  });

  it('account each request the rows it asked for, and refuse only the one past its own bound', async () => {
    const ids = [(await createCategory()).id, (await createCategory()).id, (await createCategory()).id];
    const [small, large] = await together([
      () => asRequest(() => read(ids).catch((error: unknown) => error), { maxRows: 2 }),
      () => asRequest(() => read(ids), roomy),
    ]);
    expect(small).toBeInstanceOf(RowBoundExceeded);
    expect((large as Array<{ id: string } | null>).map((category) => category?.id)).toEqual(ids);
    // Past its bound, a request's further reads are refused before they are sent.
    const before = sent();
    await expect(asRequest(async () => {
      await read(ids).catch(() => undefined);
      return read([ids[0]!]);
    }, { maxRows: 2 })).rejects.toBeInstanceOf(RowBoundExceeded);
    expect(sent() - before).toBe(1);
  });

  it('account a value grouping rows as the rows it was read from', async () => {
    const ids = [(await createCategory()).id, (await createCategory()).id];
    // Each id's value groups two rows: the category twice.
    const pairs = sharedReads(async (keys) => (await read(keys)).map((category) => (category ? [category, category] : null)), { rowsOf: (pair) => pair.length });
    await expect(asRequest(() => pairs(ids), { maxRows: 3 })).rejects.toBeInstanceOf(RowBoundExceeded);
    expect(await asRequest(() => pairs(ids), { maxRows: 4 })).toHaveLength(2);
  });
});

describe('a shared read that finds the database gone', () => {
  it('fails every request in the statement, and tells each one the database was unavailable', async () => {
    const { database, prisma, read } = await sharedCategories();
    await database.close();
    const outcomes = await together(
      [0, 1].map(() => () => asRequest(async () => [await read([randomUUID()]).then(() => 'answered', () => 'failed'), databaseWasUnavailable()], roomy)),
    );
    expect(outcomes).toEqual([
      ['failed', true],
      ['failed', true],
    ]);
    await prisma.$disconnect();
  });
});
