/*
 * DataLoader batch functions must answer in the order of their keys; these line rows
 * fetched with one `IN (...)` query back up with the keys that asked for them.
 */

export function alignById<Row extends { id: string }>(ids: readonly string[], rows: Row[]): Array<Row | null> {
  const found = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => found.get(id) ?? null);
}

export function groupByKey<Row>(keys: readonly string[], rows: Row[], keyOf: (row: Row) => string | null): Row[][] {
  const groups = new Map<string, Row[]>(keys.map((key) => [key, []]));
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) groups.get(key)?.push(row);
  }
  return keys.map((key) => groups.get(key) ?? []);
}
