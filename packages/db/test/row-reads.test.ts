import { describe, expect, it } from '@jest/globals';
import { Decimal, sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import { testBackends } from '@shop/testing';
import { asRequest, passedRowBound, RowBoundExceeded } from '../src/index.js';
import { catalogDatabase } from './catalog-database.js';

// $readRows must give what $queryRaw gives for the same statement, value for value and type for
// type, on either engine: the data modules switched from one to the other.
describe.each(testBackends())('rows read through the driver adapter (%s)', (backend) => {
  const suite = catalogDatabase(backend);

  const bothWays = async (statement: Sql) => {
    const { prisma } = suite;
    const [viaClient, viaAdapter] = await Promise.all([prisma.$queryRaw<object[]>(statement), prisma.$readRows<object[]>(statement)]);
    return { viaClient, viaAdapter };
  };

  it('decode every column type a statement of ours returns as $queryRaw does', async () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const { viaClient, viaAdapter } = await bothWays(sql`
      SELECT 42::int AS "int", 9007199254740993::bigint AS "big", count(*) AS "counted", 12.50::numeric(10,2) AS "price",
        ${at}::timestamptz AS "at", ${at}::timestamp AS "plain", '2026-03-04'::date AS "day", true AS "yes",
        'text'::text AS "text", 'a1b2c3d4-0000-4000-8000-000000000001'::uuid AS "id", 1.5::float8 AS "float",
        json_build_object('unitPrice', 1.10::numeric::text, 'n', 3) AS "json", '[]'::json AS "empty",
        ARRAY[1, 2]::int[] AS "ints", ARRAY['x', NULL]::text[] AS "texts", ARRAY[1.5, 2.25]::numeric[] AS "decimals",
        NULL::numeric AS "none", NULL::timestamptz AS "never"
      FROM (VALUES (1)) AS one (row)`);
    expect(viaAdapter).toStrictEqual(viaClient);
    const [row] = viaAdapter as Array<Record<string, unknown>>;
    // toStrictEqual compares Decimal and Date by value and class; spelled out, which the resolvers rely on.
    expect(typeof row!.big).toBe('bigint');
    expect(typeof row!.counted).toBe('bigint');
    expect(Decimal.isDecimal(row!.price)).toBe(true);
    expect((row!.price as Decimal).toFixed()).toBe('12.5');
    expect(row!.at).toEqual(at);
    expect(row!.day).toBeInstanceOf(Date);
  });

  it('bind each kind of value a statement of ours sends', async () => {
    const ids = ['a1b2c3d4-0000-4000-8000-000000000001', 'a1b2c3d4-0000-4000-8000-000000000002'];
    const after = new Date('2026-01-02T03:04:05.006Z');
    const { viaClient, viaAdapter } = await bothWays(sql`
      SELECT ${'o\'brien'}::text AS "text", ${7}::int AS "int", ${2.5}::float8 AS "float", ${false}::boolean AS "no",
        ${after}::timestamptz AS "after", ${ids}::uuid[] AS "ids", ${new Decimal('19.99')}::numeric AS "decimal",
        ${null}::text AS "nothing", ${[1, 2]}::int[] AS "take", ${[true, false]}::boolean[] AS "flags"`);
    expect(viaAdapter).toStrictEqual(viaClient);
    expect((viaAdapter as Array<Record<string, unknown>>)[0]).toMatchObject({ text: "o'brien", after, ids });
  });

  it('are counted and bounded for their request like any statement', async () => {
    const { prisma, database } = suite;
    await asRequest(
      async () => {
        const sent = database.statements.requestStatements;
        await prisma.$readRows<object[]>(sql`SELECT generate_series(1, 3) AS n`);
        expect(database.statements.requestStatements).toBe(sent + 1);
        await expect(prisma.$readRows<object[]>(sql`SELECT generate_series(1, 3) AS n`)).rejects.toBeInstanceOf(RowBoundExceeded);
        expect(passedRowBound()).toBe(5);
      },
      { maxRows: 5 },
    );
  });

  it('fail with the database error for a statement it refuses', async () => {
    const { prisma } = suite;
    await expect(prisma.$readRows<object[]>(sql`SELECT ${'not a uuid'}::uuid AS id`)).rejects.toThrow();
    // and the next read still works
    expect(await prisma.$readRows<Array<{ one: number }>>(sql`SELECT 1::int AS one`)).toEqual([{ one: 1 }]);
  });
});
