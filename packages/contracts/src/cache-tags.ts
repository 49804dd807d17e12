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
