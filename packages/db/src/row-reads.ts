import { Decimal, type Sql } from '@prisma/client/runtime/client';
import { ColumnTypeEnum, type ArgType, type ColumnType, type SqlDriverAdapter, type SqlDriverAdapterFactory, type SqlResultSet } from '@prisma/driver-adapter-utils';
import { traceStatement } from '@shop/tracing';

/**
 * Reads a statement's rows as `$queryRaw` returns them (Decimal, Date and bigint values), sent
 * through Prisma's driver adapter without Prisma Client's request pipeline around it, which
 * added some 40 % to the CPU of the adapter, pg and the decoding (docs/adr/0049). The statement
 * is the same tagged template, every value bound. Outside transactions only: it runs on a
 * pooled connection of its own.
 */
export type ReadRows = <Rows extends readonly object[]>(statement: Sql) => Promise<Rows>;

/** What `$queryRaw` makes of each column type the adapter reports (Prisma's own mapping). */
const decoders: Partial<Record<ColumnType, (value: unknown) => unknown>> = {
  [ColumnTypeEnum.Int32]: (value) => Math.trunc(Number(value)),
  [ColumnTypeEnum.Int64]: (value) => BigInt(value as string | number | bigint),
  [ColumnTypeEnum.Numeric]: (value) => new Decimal(value as string | number),
  [ColumnTypeEnum.DateTime]: (value) => new Date(value as string | number | Date),
  [ColumnTypeEnum.Date]: (value) => new Date(value as string | number | Date),
  [ColumnTypeEnum.Time]: (value) => new Date(`1970-01-01T${String(value)}Z`),
  [ColumnTypeEnum.Json]: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  [ColumnTypeEnum.Bytes]: (value) => new Uint8Array(value as ArrayLike<number>),
};

const elementTypes: Partial<Record<ColumnType, ColumnType>> = {
  [ColumnTypeEnum.Int32Array]: ColumnTypeEnum.Int32,
  [ColumnTypeEnum.Int64Array]: ColumnTypeEnum.Int64,
  [ColumnTypeEnum.NumericArray]: ColumnTypeEnum.Numeric,
  [ColumnTypeEnum.DateTimeArray]: ColumnTypeEnum.DateTime,
  [ColumnTypeEnum.DateArray]: ColumnTypeEnum.Date,
  [ColumnTypeEnum.TimeArray]: ColumnTypeEnum.Time,
  [ColumnTypeEnum.JsonArray]: ColumnTypeEnum.Json,
  [ColumnTypeEnum.BytesArray]: ColumnTypeEnum.Bytes,
};

/** The decoder of a column, or undefined when the adapter's value is already what `$queryRaw` gives. */
function decoderOf(type: ColumnType): ((value: unknown) => unknown) | undefined {
  const element = elementTypes[type];
  if (element === undefined) return decoders[type];
  const decode = decoders[element]!;
  return (value) => (value as unknown[]).map((item) => (item === null ? null : decode(item)));
}

function rowsOf(result: SqlResultSet): Array<Record<string, unknown>> {
  const { columnNames, columnTypes } = result;
  const columnDecoders = columnTypes.map(decoderOf);
  return result.rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let index = 0; index < columnNames.length; index++) {
      const value = values[index];
      const decode = columnDecoders[index];
      row[columnNames[index]!] = value === null || decode === undefined ? value : decode(value);
    }
    return row;
  });
}

/** How the adapter is to send a bound value: it formats dates and walks lists by these. */
function argTypeOf(value: unknown): ArgType {
  if (Array.isArray(value)) return { ...argTypeOf(value.find((item) => item !== null) ?? null), arity: 'list' };
  if (value instanceof Date) return { scalarType: 'datetime', arity: 'scalar' };
  if (value instanceof Uint8Array) return { scalarType: 'bytes', arity: 'scalar' };
  switch (typeof value) {
    case 'string':
      return { scalarType: 'string', arity: 'scalar' };
    case 'boolean':
      return { scalarType: 'boolean', arity: 'scalar' };
    case 'bigint':
      return { scalarType: 'bigint', arity: 'scalar' };
    case 'number':
      return { scalarType: Number.isInteger(value) ? 'int' : 'float', arity: 'scalar' };
    default:
      return { scalarType: 'unknown', arity: 'scalar' };
  }
}

/** A bound value as `$queryRaw` sends it: a Decimal as its digits. */
const argOf = (value: unknown): unknown => (Decimal.isDecimal(value) ? (value as Decimal).toFixed() : Array.isArray(value) ? value.map(argOf) : value);

/** A subgraph's Prisma client with `$readRows` beside `$queryRaw`. */
export interface RowReads {
  readonly $readRows: ReadRows;
}

/**
 * The client with `$readRows`. A transaction's client is not typed with it (Prisma's
 * TransactionClient), so a read meant to be in a transaction cannot leave it unnoticed.
 */
export function withRowReads<Client extends object>(client: Client, readRows: ReadRows): Client & RowReads {
  Object.defineProperty(client, '$readRows', { value: readRows });
  return client as Client & RowReads;
}

/**
 * ReadRows over the database's adapter factory (the accounting one: each statement is counted
 * and bounded for its request as Prisma Client's are). The adapter is connected once, on first use.
 */
export function rowReads(factory: SqlDriverAdapterFactory): ReadRows {
  let adapter: Promise<SqlDriverAdapter> | undefined;
  return async <Rows extends readonly object[]>(statement: Sql) => {
    adapter ??= factory.connect().catch((error: unknown) => {
      adapter = undefined;
      throw error;
    });
    const args = statement.values.map(argOf);
    const connected = await adapter;
    const sql = statement.text;
    const result = await traceStatement(sql, () => connected.queryRaw({ sql, args, argTypes: args.map(argTypeOf) }));
    return rowsOf(result) as unknown as Rows;
  };
}
