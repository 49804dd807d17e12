// What the load generator (bench/load-generator.ts, a process of its own) is asked to send,
// and how it checks each answer. The parent describes a workload as JSON; the generator
// builds every request from it (each one different, as real traffic is) and knows the
// answer each request must get, from the catalog the parent seeded.

/** A product as the bench seeded it: what a storefront read of it must answer. */
export interface SeededProduct {
  id: string;
  name: string;
  description: string;
  /** As the API spells Decimal: "123.45". */
  price: string;
  categoryId: string;
  /** ISO instant; every product has its own, so NEWEST/OLDEST have no ties. */
  createdAt: string;
}

export interface SeededCatalog {
  categories: Array<{ id: string; name: string }>;
  products: SeededProduct[];
  /** Lower-case words that occur in names and descriptions: the storefront's searches. */
  searchTerms: string[];
}

/** The storefront's product page: a random product of the ~500. */
export interface ProductWorkload {
  kind: 'product';
  query: string;
  catalog: SeededCatalog;
  /** Anonymous shoppers, each request from one of these X-Forwarded-For addresses. */
  clientAddresses: string[];
}

/** The storefront's listing: every request a different search, category, page, size and order (or, `identical`, one request sent by every client). */
export interface ProductsWorkload {
  kind: 'products';
  query: string;
  catalog: SeededCatalog;
  clientAddresses: string[];
  identical?: ProductsRequest;
}

/** A seeded shopper: what their `Me` must answer. */
export interface SeededShopper {
  id: string;
  email: string;
  /** Product ids of the cart's lines, sorted. */
  cartProductIds: string[];
  subtotal: string;
  /** Their orders' ids, newest first. */
  orderIds: string[];
}

export interface SeededOrder {
  id: string;
  userId: string;
  status: string;
  /** ISO instant; every order has its own. */
  createdAt: string;
}

/** The shoppers with carts and orders the bench seeded; orders newest first. */
export interface SeededShop {
  shoppers: SeededShopper[];
  orders: SeededOrder[];
}

/** Many signed-in shoppers' `Me` (cart, orders): each request one shopper's, with the headers that sign them in at the gateway measured. */
export interface MeWorkload {
  kind: 'me';
  query: string;
  shoppers: Array<{ shopper: SeededShopper; headers: Record<string, string> }>;
}

/** An administrator's order list with different filters (status, buyer, dates, page, size). */
export interface AllOrdersWorkload {
  kind: 'all-orders';
  query: string;
  shop: SeededShop;
  headers: Record<string, string>;
}

/** A subgraph request captured through the gateway: replayed straight to a subgraph, which must answer the same data. */
export interface CapturedRequest {
  body: string;
  /** The viewer the gateway's token named (the replay signs a fresh token for it). */
  viewer: unknown;
  /** JSON of the answer's `data`. */
  data: string;
}

/** Captured subgraph requests sent straight to one subgraph, each with a gateway token of its own. */
export interface ReplayWorkload {
  kind: 'replay';
  audience: 'users' | 'catalog' | 'orders';
  /** GATEWAY_TOKEN_KEYS as the subgraphs are configured. */
  gatewayKeys: string;
  requests: CapturedRequest[];
}

/** One SQL statement a request issued, as PostgreSQL logged it. */
export interface CapturedStatement {
  text: string;
  values: Array<string | null>;
}

/** The statements of captured requests run alone with `pg`: each group is what one request issued to one database. */
export interface SqlWorkload {
  kind: 'sql';
  databaseUrl: string;
  groups: CapturedStatement[][];
}

export const hostileKinds = ['deep', 'list-amplified', 'aliases', 'me-aliases', 'nested-500', 'under-limits'] as const;
export type HostileKind = (typeof hostileKinds)[number];

/** An anonymous attacker's mix, spread over a few client addresses. */
export interface HostileWorkload {
  kind: 'hostile';
  catalog: SeededCatalog;
  attackerAddresses: string[];
  /** The kinds to send, in equal shares (all unless told). */
  kinds?: HostileKind[];
  /**
   * The error codes each kind may be answered with ('admitted' for data without errors);
   * anything else counts as a wrong answer. Left out for a gateway with its protections off,
   * where only a malformed answer or admitted data of the wrong shape is wrong.
   */
  expected?: Record<HostileKind, string[]>;
}

export type Workload = ProductWorkload | ProductsWorkload | HostileWorkload | MeWorkload | AllOrdersWorkload | ReplayWorkload | SqlWorkload;

export interface LoadSpec {
  label: string;
  url: string;
  connections: number;
  /** How long the timed run lasts; a run told `untilStopped` ends when the parent writes "stop" (or after this). */
  seconds: number;
  untilStopped?: boolean;
  /** Requests per second over all connections (autocannon's overallRate); as fast as answered when left out. */
  rate?: number;
  workload: Workload;
  /** Before timing: every product once (a warm response cache), or this many requests. */
  warm?: 'every-product' | number;
  seed: number;
}

export interface OutcomeStats {
  count: number;
  p50: number;
  p99: number;
}

export interface LoadResult {
  label: string;
  /** Answers received in the timed run. */
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers that were not what the request must get (status, errors, data). */
  wrong: number;
  wrongSamples: string[];
  /** Answers by "<status> <code>": "200 admitted", "400 MAX_DEPTH_LIMIT", ... with their latency. */
  outcomes: Record<string, OutcomeStats>;
  /** Requests by hostile kind (hostile workload only). */
  kinds: Record<string, number>;
  /** x-cache header values: HIT, MISS, BYPASS, none. */
  cache: Record<string, number>;
  timeouts: number;
  connectionErrors: number;
  /** Requests sent in the timed run that had no answer when it ended. */
  unanswered: number;
  warmRequests: number;
  warmWrong: number;
}

export const sorts = ['PRICE_ASC', 'PRICE_DESC', 'NAME_ASC', 'NAME_DESC', 'NEWEST', 'OLDEST'] as const;
export type Sort = (typeof sorts)[number];

const cents = (price: string) => Math.round(Number(price) * 100);
const byId = (a: SeededProduct, b: SeededProduct) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** PostgreSQL's order under the C collation the bench databases use, ties by id, as the catalog sorts. */
const comparators: Record<Sort, (a: SeededProduct, b: SeededProduct) => number> = {
  PRICE_ASC: (a, b) => cents(a.price) - cents(b.price) || byId(a, b),
  PRICE_DESC: (a, b) => cents(b.price) - cents(a.price) || byId(a, b),
  NAME_ASC: (a, b) => text(a.name, b.name) || byId(a, b),
  NAME_DESC: (a, b) => text(b.name, a.name) || byId(a, b),
  NEWEST: (a, b) => text(b.createdAt, a.createdAt) || byId(a, b),
  OLDEST: (a, b) => text(a.createdAt, b.createdAt) || byId(a, b),
};

export interface ProductsRequest {
  search?: string;
  categoryId?: string;
  /** Inclusive bounds, as the API spells Decimal. */
  minPrice?: string;
  maxPrice?: string;
  page: number;
  limit: number;
  sort: Sort;
}

/** The page the catalog must answer: ids in order and the total. */
export function expectedPage(catalog: SeededCatalog, request: ProductsRequest): { ids: string[]; totalItems: number } {
  const term = request.search?.toLowerCase();
  const matching = catalog.products.filter(
    (product) =>
      (!request.categoryId || product.categoryId === request.categoryId) &&
      (!request.minPrice || cents(product.price) >= cents(request.minPrice)) &&
      (!request.maxPrice || cents(product.price) <= cents(request.maxPrice)) &&
      (!term || product.name.toLowerCase().includes(term) || product.description.toLowerCase().includes(term)),
  );
  matching.sort(comparators[request.sort]);
  const start = (request.page - 1) * request.limit;
  return { ids: matching.slice(start, start + request.limit).map((product) => product.id), totalItems: matching.length };
}

/** A small seeded generator (mulberry32): runs repeat their sequence of requests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
export const between = (random: Random, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

export interface HostileDocument {
  query: string;
  /** For a document that may be admitted: what its data must be. */
  verify?: (data: Record<string, unknown>) => string | null;
}

/** The burst's documents, a few variants of each kind built once (some are 70 KB). */
export function hostileDocuments(catalog: SeededCatalog, random: Random): Record<HostileKind, HostileDocument[]> {
  const variants = 12;
  const categoryCounts = new Map<string, number>();
  for (const product of catalog.products) categoryCounts.set(product.categoryId, (categoryCounts.get(product.categoryId) ?? 0) + 1);
  const build = <T>(make: (index: number) => T) => Array.from({ length: variants }, (_, index) => make(index));
  return {
    // category → products(limit: 100) → items → category ... 10 to 30 times over: depth 32 to 92, fewer than 1,000 tokens.
    deep: build(() => {
      const levels = between(random, 10, 30);
      return {
        query: `query Deep { category(id: "${pick(random, catalog.categories).id}") { id ${'products(limit: 100) { items { id category { '.repeat(levels)}id${' } } }'.repeat(levels)} } }`,
      };
    }),
    // The 125-byte query of the outside test, and the same with other page sizes.
    'list-amplified': build((index) => {
      const limit = index < variants / 2 ? 100 : between(random, 50, 99);
      return { query: `{ categories { id products(limit:${limit}) { items { id category { id products(limit:${limit}) { items { id category { id } } } } } } } }` };
    }),
    // Hundreds of aliases of a 100-item list: as root fields (past the token bound), or of
    // `items` under one page (inside the token bound, past the alias bound).
    aliases: build((index) => {
      if (index % 2 === 0) {
        const count = between(random, 100, 300);
        return { query: `{ ${Array.from({ length: count }, (_, n) => `a${n}: products(limit: 100, page: ${1 + (n % 5)}) { items { id } }`).join(' ')} }` };
      }
      const count = between(random, 60, 140);
      return { query: `{ products(limit: 100) { ${Array.from({ length: count }, (_, n) => `a${n}: items { id }`).join(' ')} } }` };
    }),
    // 2,000 aliases of a signed-in caller's orders, sent anonymously: about 70 KB.
    'me-aliases': build(() => ({ query: `{ ${Array.from({ length: 2_000 }, (_, n) => `m${n}: me { orders { items { id } } }`).join(' ')} }` })),
    // 450 to 550 levels of `parent`.
    'nested-500': build(() => {
      const depth = between(random, 450, 550);
      return { query: `{ categories { ${'parent { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }` };
    }),
    // Just under the limits: depth 6, a few dozen tokens, cost 7,500 to 9,700, under COST_MAX and the
    // anonymous budget (10,000 per window by default): admitted, until the budget throttles it.
    'under-limits': build(() => {
      const outer = between(random, 85, 97);
      const inner = between(random, 85, 97);
      return {
        query: `{ products(limit: ${outer}, sort: ${pick(random, sorts)}) { items { id category { id products(limit: ${inner}) { items { id } } } } } }`,
        verify: (data) => {
          const items = (data.products as { items?: Array<{ category?: { id: string; products?: { items?: unknown[] } } }> } | undefined)?.items;
          if (!items || items.length !== Math.min(outer, catalog.products.length)) return `outer page of ${items?.length}`;
          const wrong = items.find((item) => item.category?.products?.items?.length !== Math.min(inner, categoryCounts.get(item.category?.id ?? '') ?? -1));
          return wrong ? `inner page of ${wrong.category?.products?.items?.length} in category ${wrong.category?.id}` : null;
        },
      };
    }),
  };
}


export interface OrdersRequest {
  status?: string;
  userId?: string;
  createdAfter?: string;
  createdBefore?: string;
  page: number;
  limit: number;
}

/** The admin's page of orders: newest first, ties by id, as the orders subgraph sorts; createdAfter inclusive, createdBefore exclusive. */
export function expectedOrders(shop: SeededShop, request: OrdersRequest): { ids: string[]; totalItems: number } {
  const matching = shop.orders.filter(
    (order) =>
      (!request.status || order.status === request.status) &&
      (!request.userId || order.userId === request.userId) &&
      (!request.createdAfter || order.createdAt >= request.createdAfter) &&
      (!request.createdBefore || order.createdAt < request.createdBefore),
  );
  const start = (request.page - 1) * request.limit;
  return { ids: matching.slice(start, start + request.limit).map((order) => order.id), totalItems: matching.length };
}
