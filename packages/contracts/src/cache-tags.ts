import type { Change } from './events.js';

/**
 * The names of what the response cache stores answers under and purges: subgraphs tag each
 * answer with the entities it holds (docs/adr/0007), and the gateway purges by the same names
 * when a change arrives. A cached answer outlives any deployment, so these strings are stable.
 */

/** One entity, `Type:id`: an answer that holds it, or looked it up by id (found or not). */
export const entityTag = (type: string, id: string) => `${type}:${id}`;

/** A list of entities of a type, anywhere in an answer: any change to that type may alter its membership. */
export const listTag = (type: string) => type;

export const productTag = (id: string) => entityTag('Product', id);
export const categoryTag = (id: string) => entityTag('Category', id);
export const orderTag = (id: string) => entityTag('Order', id);
export const userTag = (id: string) => entityTag('User', id);

export const ListTag = {
  products: listTag('Product'),
  categories: listTag('Category'),
  orders: listTag('Order'),
  users: listTag('User'),
} as const;

/** The response extension in which a subgraph tells the gateway's cache what it read and changed. */
export const CACHE_REPORT_EXTENSION = 'cacheReport';

export interface CacheReport {
  /**
   * What the response was made of: `Type:id` for each entity it read or looked up by id (found
   * or not), and `Type` for each list of entities (whose membership any change to that type may alter).
   */
  tags: string[];
  /** Changes this request made, for the gateway to purge before it answers. */
  changes: Change[];
}

const ANSWER_DATA_START = '{"data":';
const REPORT_START = `,"extensions":{"${CACHE_REPORT_EXTENSION}":`;

const isCacheReport = (value: unknown): value is CacheReport =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as CacheReport).tags) &&
  (value as CacheReport).tags.every((tag) => typeof tag === 'string') &&
  Array.isArray((value as CacheReport).changes);

/**
 * A subgraph's answer split without parsing its data (docs/adr/0048): the data's JSON as it
 * came, and the cache report. Null unless the body is exactly `{"data":…,"extensions":{"cacheReport":…}}`
 * (and a newline),
 * as Apollo Server writes an answer with no errors and only the report in its extensions (its
 * keys in the order errors, data, extensions). The report's start is the last occurrence of
 * `,"extensions":{"cacheReport":`: inside the data that text could only be a key, never in a
 * string (whose quotes JSON escapes), and every key of the data comes before the report.
 */
export function splitReportedAnswer(body: string): { data: string; report: CacheReport } | null {
  // Apollo Server ends its JSON with a newline.
  const end = body.endsWith('\n') ? body.length - 1 : body.length;
  if (!body.startsWith(ANSWER_DATA_START) || body.slice(end - 2, end) !== '}}') return null;
  const reportAt = body.lastIndexOf(REPORT_START);
  if (reportAt <= ANSWER_DATA_START.length) return null;
  let report: unknown;
  try {
    report = JSON.parse(body.slice(reportAt + REPORT_START.length, end - 2));
  } catch {
    return null;
  }
  return isCacheReport(report) ? { data: body.slice(ANSWER_DATA_START.length, reportAt), report } : null;
}
