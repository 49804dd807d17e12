import { sqltag as sql, type Sql } from '@prisma/client/runtime/client';

/** The select-list item a counted page's statement adds to its rows: it tells the page's rows from the one row past the end. */
export const pageRowColumn = sql`TRUE AS "onPage"`;

/** A counted page's rows as the statement returns them. */
export type CountedPageRow<Row> = Row & { onPage: boolean | null; totalItems: bigint };

/**
 * A page and the total its conditions match, in one statement. `page` selects
 * `pageRowColumn` and orders, limits and offsets its rows; `count` counts what the same
 * conditions match. `count` is uncorrelated, so PostgreSQL runs it once (an InitPlan), over the
 * bare rows: a window count over the page's own scan made the page read, join and keep every
 * matching row's columns before its LIMIT (docs/adr/0044). The page is joined onto one row of
 * its own, so a page past the end still carries the total; ON TRUE leaves the planner only a
 * nested loop over that row, which keeps the page's order.
 */
export const countedPageStatement = (page: Sql, count: Sql): Sql => sql`
  SELECT page.*, (${count}) AS "totalItems"
  FROM (VALUES (1)) AS one (row) LEFT JOIN (${page}) AS page ON TRUE`;

/** The page's rows, without the counting columns, and the total. */
export function countedPageOf<Row>(rows: ReadonlyArray<CountedPageRow<Row>>): { rows: Row[]; totalItems: number } {
  const pageRows = rows.filter((row) => row.onPage !== null).map(({ onPage: _onPage, totalItems: _total, ...row }) => row as Row);
  return { rows: pageRows, totalItems: Number(rows[0]!.totalItems) };
}
