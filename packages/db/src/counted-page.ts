import { sqltag as sql, type Sql } from '@prisma/client/runtime/client';

/**
 * The select-list item a counted page's statement adds to its rows: the total the page's
 * conditions match, as a window count over the page's own scan (taken before LIMIT and OFFSET).
 */
export const pageTotalColumn = sql`count(*) OVER () AS "pageTotal"`;

/** A counted page's rows as the statement returns them. */
export type CountedPageRow<Row> = Row & { pageTotal: bigint | null; totalItems: bigint };

/**
 * A page and the total its conditions match, in one statement. `page` selects
 * `pageTotalColumn` and orders, limits and offsets its rows; `count` counts what the same
 * conditions match. A page past the end has no row to carry the window count, so the page is
 * joined onto one row of its own: past the end that row comes back alone and carries `count`,
 * which PostgreSQL runs then only (an InitPlan is run when first asked for). ON TRUE leaves the
 * planner only a nested loop over the one row, which keeps the page's order.
 */
export const countedPageStatement = (page: Sql, count: Sql): Sql => sql`
  SELECT page.*, CASE WHEN page."pageTotal" IS NULL THEN (${count}) ELSE page."pageTotal" END AS "totalItems"
  FROM (VALUES (1)) AS one (row) LEFT JOIN (${page}) AS page ON TRUE`;

/** The page's rows, without the counting columns, and the total. */
export function countedPageOf<Row>(rows: ReadonlyArray<CountedPageRow<Row>>): { rows: Row[]; totalItems: number } {
  const pageRows = rows.filter((row) => row.pageTotal !== null).map(({ pageTotal: _window, totalItems: _total, ...row }) => row as Row);
  return { rows: pageRows, totalItems: Number(rows[0]!.totalItems) };
}
