import { hash } from 'node:crypto';

/**
 * Distinct statement texts given a name. The SQL is built by code with every value bound, so
 * its shapes are few (each filter combination of a page is one); the bound keeps a text that
 * varies with its input (a list written out element by element) from growing every
 * connection's set of prepared statements without end: past it, statements run unnamed.
 */
const NAMED_STATEMENTS = 500;

/**
 * A name per statement text, for the driver adapter's `statementNameGenerator`: pg prepares a
 * named statement once per connection and then only binds and executes it, so PostgreSQL
 * parses and plans the text once instead of on every request (docs/adr/0040: the products page
 * statement's throughput doubled).
 */
export function statementNames(limit = NAMED_STATEMENTS): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < limit) names.set(sql, (name = `s_${hash('sha1', sql, 'hex')}`));
    // Undefined past the bound: pg then sends the statement unnamed, as without this.
    return name as string;
  };
}
