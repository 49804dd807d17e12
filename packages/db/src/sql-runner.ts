/** The two statements a migration runner needs, over either a pg client or PGlite. */
export interface SqlRunner {
  /** Runs a script of one or more statements with no parameters. */
  exec(script: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}
