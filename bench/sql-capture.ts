// The SQL a request issues, as PostgreSQL logs it: `log_statement = 'all'` set on the bench's
// own databases (new sessions only: the subgraph processes started afterwards), the server's
// log read from where it stood before each request, and every statement of those databases
// kept with its parameters, for the load generator to run them again with `pg`.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import pg from 'pg';
import type { CapturedStatement } from './workloads.js';

/** Where Debian's pg_ctlcluster has PostgreSQL 15 write its log (no logging collector). */
export const DEFAULT_POSTGRES_LOG = '/var/log/postgresql/postgresql-15-main.log';

/** Sets (or, `on` false, resets) statement logging on these databases. */
export async function logStatements(adminUrl: string, databases: string[], on: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const database of databases) await client.query(`ALTER DATABASE "${database}" ${on ? "SET log_statement = 'all'" : 'RESET log_statement'}`);
  } finally {
    await client.end();
  }
}

/** `$1 = 'a''b', $2 = NULL` → ["a'b", null]. */
function parseParameters(detail: string): Array<string | null> {
  const values: Array<string | null> = [];
  for (const match of detail.matchAll(/\$(\d+) = (NULL|'((?:[^']|'')*)')/g)) values[Number(match[1]) - 1] = match[2] === 'NULL' ? null : match[3]!.replaceAll("''", "'");
  return values;
}

/** Reads the log from an offset on; `take()` returns the statements of `database` logged since the last call. */
export function statementLog(path: string) {
  let offset = statSync(path).size;
  const readNew = () => {
    const size = statSync(path).size;
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    const file = openSync(path, 'r');
    try {
      readSync(file, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(file);
    }
    offset = size;
    return buffer.toString('utf8');
  };
  return {
    /** Skips what was logged so far. */
    skip: () => void readNew(),
    /** Statements logged since the last call, by database name, in order. */
    take(): Map<string, CapturedStatement[]> {
      // Entries start with the log_line_prefix "%m [%p] %q%u@%d "; a statement's text may continue on tab-indented lines.
      const entries: string[] = [];
      for (const line of readNew().split('\n')) {
        if (line.startsWith('\t') && entries.length) entries[entries.length - 1] += `\n${line.slice(1)}`;
        else if (line) entries.push(line);
      }
      const byDatabase = new Map<string, CapturedStatement[]>();
      const lastOfProcess = new Map<string, CapturedStatement>();
      for (const entry of entries) {
        const match = /^\S+ \S+ \S+ \[(\d+)\] \S*@(\S+) (LOG|DETAIL):\s+([\s\S]*)$/.exec(entry);
        if (!match) continue;
        const [, pid, database, level, message] = match as unknown as [string, string, string, string, string];
        if (level === 'LOG') {
          const statement = /^(?:statement|execute [^:]*): ([\s\S]*)$/.exec(message);
          if (!statement) continue;
          const captured: CapturedStatement = { text: statement[1]!, values: [] };
          if (!byDatabase.has(database)) byDatabase.set(database, []);
          byDatabase.get(database)!.push(captured);
          lastOfProcess.set(pid, captured);
        } else if (message.startsWith('parameters: ')) {
          const statement = lastOfProcess.get(pid);
          if (statement) statement.values = parseParameters(message.slice('parameters: '.length));
        }
      }
      return byDatabase;
    },
  };
}
