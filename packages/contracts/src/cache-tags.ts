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
