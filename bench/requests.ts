// The requests a workload sends and the answer each must get, built one by one from the
// workload's description (bench/workloads.ts): used by the load generator, and by
// `npm run bench` to capture what the subgraphs are asked through the gateway.
import { GATEWAY_TOKEN_HEADER, postRequest, signGatewayToken } from '@shop/auth';
import { gatewayTokenSchema, parseConfig } from '@shop/config';
import {
  between,
  expectedOrders,
  expectedPage,
  hostileDocuments,
  hostileKinds,
  pick,
  sorts,
  type AllOrdersWorkload,
  type HostileKind,
  type HostileWorkload,
  type MeWorkload,
  type OrdersRequest,
  type ProductsRequest,
  type ProductsWorkload,
  type ProductWorkload,
  type Random,
  type ReplayWorkload,
  type Workload,
} from './workloads.js';

/** What one request was, so its answer can be checked: the body, headers and a checker of the parsed answer. */
export interface Built {
  body: string;
  /** X-Forwarded-For: the client's address. */
  address: string;
  headers?: Record<string, string>;
  /** The hostile kind, for the counts by kind. */
  kind?: HostileKind;
  /** Returns the outcome key ("admitted" or an error code) and whether the answer is right. */
  check(status: number, answer: GraphQLAnswer): { key: string; right: boolean; why?: string };
}

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
}

const errorCode = (answer: GraphQLAnswer) => answer.errors?.[0]?.extensions?.code ?? (answer.errors?.length ? 'NO_CODE' : undefined);
const LOCAL = '127.0.0.1';

/** A plain read that must succeed: 200, no errors, and `verify` happy with the data. */
function successCheck(verify: (data: Record<string, unknown>) => string | null) {
  return (status: number, answer: GraphQLAnswer) => {
    const code = errorCode(answer);
    if (code) return { key: code, right: false, why: `errors: ${JSON.stringify(answer.errors).slice(0, 300)}` };
    if (status !== 200) return { key: 'admitted', right: false, why: `status ${status}` };
    if (!answer.data) return { key: 'admitted', right: false, why: 'no data' };
    const problem = verify(answer.data);
    return problem ? { key: 'admitted', right: false, why: problem } : { key: 'admitted', right: true };
  };
}

interface Page {
  items?: Array<Record<string, unknown> & { id: string }>;
  meta?: Record<string, number>;
}

/** A page's ids and meta against the expected ones. */
function pageProblem(page: Page | undefined, expected: { ids: string[]; totalItems: number }, request: { page: number; limit: number }): string | null {
  if (!page?.items || !page.meta) return 'no page';
  const ids = page.items.map((item) => item.id);
  if (ids.join() !== expected.ids.join()) return `ids of ${JSON.stringify(request)}: ${ids.length} got, ${expected.ids.length} expected, first ${ids[0]} vs ${expected.ids[0]}`;
  if (page.meta.totalItems !== expected.totalItems) return `totalItems ${page.meta.totalItems}, expected ${expected.totalItems}`;
  if (page.meta.currentPage !== request.page || page.meta.itemsPerPage !== request.limit) return `meta ${JSON.stringify(page.meta)}`;
  return null;
}

function productRequests(workload: ProductWorkload, random: Random): () => Built {
  return () => {
    const product = pick(random, workload.catalog.products);
    return {
      body: JSON.stringify({ query: workload.query, variables: { id: product.id } }),
      address: pick(random, workload.clientAddresses),
      check: successCheck((data) => {
        const got = data.product as { id?: string; name?: string; price?: { amount?: string }; category?: { id?: string } } | null;
        if (!got) return 'product is null';
        if (got.id !== product.id || got.name !== product.name) return `product ${got.id} "${got.name}" for ${product.id}`;
        if (got.price?.amount !== product.price) return `price ${got.price?.amount}, seeded ${product.price}`;
        if (got.category?.id !== product.categoryId) return `category ${got.category?.id}, seeded ${product.categoryId}`;
        return null;
      }),
    };
  };
}

function productsRequests(workload: ProductsWorkload, random: Random): () => Built {
  const { catalog } = workload;
  const categoryOf = new Map(catalog.products.map((product) => [product.id, product.categoryId]));
  const varied = (): ProductsRequest => {
    const minPrice = random() < 0.5 ? 10 * between(random, 0, 30) : undefined;
    return {
      search: random() < 0.6 ? pick(random, catalog.searchTerms) : undefined,
      categoryId: random() < 0.3 ? pick(random, catalog.categories).id : undefined,
      // Half the requests ask for a price range: a shop's price slider.
      minPrice: minPrice === undefined ? undefined : `${minPrice}.00`,
      maxPrice: minPrice === undefined ? undefined : `${minPrice + 10 * between(random, 5, 30)}.00`,
      page: random() < 0.5 ? 1 : between(random, 2, 5),
      limit: pick(random, [10, 20, 50]),
      sort: pick(random, sorts),
    };
  };
  return () => {
    const request = workload.identical ?? varied();
    const filter = {
      ...(request.search ? { search: request.search } : {}),
      ...(request.categoryId ? { categoryId: request.categoryId } : {}),
      ...(request.minPrice ? { minPrice: request.minPrice, maxPrice: request.maxPrice } : {}),
    };
    const variables = { ...(Object.keys(filter).length ? { filter } : {}), page: request.page, limit: request.limit, sort: request.sort };
    return {
      body: JSON.stringify({ query: workload.query, variables }),
      address: pick(random, workload.clientAddresses),
      check: successCheck((data) => {
        const page = data.products as Page | undefined;
        const problem = pageProblem(page, expectedPage(catalog, request), request);
        if (problem) return problem;
        const misplaced = page!.items!.find((item) => (item.category as { id?: string } | null)?.id !== categoryOf.get(item.id));
        return misplaced ? `category of ${misplaced.id}` : null;
      }),
    };
  };
}

function meRequests(workload: MeWorkload, random: Random): () => Built {
  return () => {
    const { shopper, headers } = pick(random, workload.shoppers);
    return {
      body: JSON.stringify({ query: workload.query }),
      address: LOCAL,
      headers,
      check: successCheck((data) => {
        const me = data.me as { id?: string; cart?: { items?: Array<{ product?: { id?: string } | null }>; subtotal?: { amount?: string } | null }; orders?: Page } | null;
        if (me?.id !== shopper.id) return `me ${me?.id} for ${shopper.id}`;
        const cart = (me.cart?.items ?? []).map((item) => item.product?.id).sort();
        if (cart.join() !== shopper.cartProductIds.join()) return `cart of ${shopper.id}: ${cart.length} lines, seeded ${shopper.cartProductIds.length}`;
        if (me.cart?.subtotal?.amount !== shopper.subtotal) return `subtotal ${me.cart?.subtotal?.amount}, seeded ${shopper.subtotal}`;
        const problem = pageProblem(me.orders, { ids: shopper.orderIds.slice(0, 10), totalItems: shopper.orderIds.length }, { page: 1, limit: 10 });
        if (problem) return `orders of ${shopper.id}: ${problem}`;
        const lineless = me.orders!.items!.find((order) => !(order.items as Array<{ product?: { id?: string } | null }>).every((line) => line.product?.id));
        return lineless ? `order ${lineless.id} has a line without its product` : null;
      }),
    };
  };
}

function allOrdersRequests(workload: AllOrdersWorkload, random: Random): () => Built {
  const { shop } = workload;
  const instants = shop.orders.map((order) => order.createdAt);
  const buyer = new Map(shop.orders.map((order) => [order.id, order.userId]));
  return () => {
    const request: OrdersRequest = {
      status: random() < 0.4 ? pick(random, ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED']) : undefined,
      userId: random() < 0.2 ? pick(random, shop.shoppers).id : undefined,
      page: random() < 0.6 ? 1 : between(random, 2, 4),
      limit: pick(random, [10, 20, 50]),
    };
    if (random() < 0.4) {
      const [from, to] = [pick(random, instants), pick(random, instants)].sort();
      request.createdAfter = from;
      request.createdBefore = to;
    }
    const { page, limit, ...filter } = request;
    return {
      body: JSON.stringify({ query: workload.query, variables: { ...(Object.keys(filter).length ? { filter } : {}), page, limit } }),
      address: LOCAL,
      headers: workload.headers,
      check: successCheck((data) => {
        const orders = data.orders as Page | undefined;
        const problem = pageProblem(orders, expectedOrders(shop, request), request);
        if (problem) return problem;
        const wrong = orders!.items!.find((order) => (order.user as { id?: string } | null)?.id !== buyer.get(order.id));
        return wrong ? `buyer of ${wrong.id}` : null;
      }),
    };
  };
}

/** Refreshed every 3 s: a gateway token lives 10 s, and signing one per request would load the generator, not the subgraph. */
const TOKEN_REFRESH_MS = 3_000;

async function replayRequests(workload: ReplayWorkload, url: string, random: Random): Promise<() => Built> {
  const keys = parseConfig(gatewayTokenSchema, { NODE_ENV: 'production', HOST: LOCAL, GATEWAY_TOKEN_KEYS: workload.gatewayKeys });
  const target = new URL(url);
  const tokens: string[] = [];
  const sign = async () => {
    const fresh = await Promise.all(
      workload.requests.map((request) =>
        signGatewayToken(keys, { viewer: request.viewer as never, clientIp: null }, { audience: workload.audience, request: postRequest(target, request.body) }),
      ),
    );
    tokens.splice(0, tokens.length, ...fresh);
  };
  await sign();
  setInterval(() => void sign(), TOKEN_REFRESH_MS).unref();
  return () => {
    const index = Math.floor(random() * workload.requests.length);
    const request = workload.requests[index]!;
    return {
      body: request.body,
      address: LOCAL,
      headers: { [GATEWAY_TOKEN_HEADER]: tokens[index]! },
      check: successCheck((data) => (JSON.stringify(data) === request.data ? null : `answer differs from the one through the gateway: ${JSON.stringify(data).slice(0, 200)}`)),
    };
  };
}

function hostileRequests(workload: HostileWorkload, random: Random): () => Built {
  const documents = hostileDocuments(workload.catalog, random);
  const kinds = workload.kinds ?? hostileKinds;
  const bodies = new Map(hostileKinds.map((kind) => [kind, documents[kind].map((document) => ({ ...document, body: JSON.stringify({ query: document.query }) }))]));
  return () => {
    const kind = pick(random, kinds);
    const document = pick(random, bodies.get(kind)!);
    return {
      body: document.body,
      address: pick(random, workload.attackerAddresses),
      kind,
      check: (status, answer) => {
        const code = errorCode(answer);
        const key = code ?? 'admitted';
        if (key === 'admitted') {
          if (status !== 200 || !answer.data) return { key, right: false, why: `admitted with status ${status}, data ${JSON.stringify(answer.data)?.slice(0, 100)}` };
          const problem = document.verify?.(answer.data) ?? null;
          if (problem) return { key, right: false, why: `${kind}: ${problem}` };
        }
        if (workload.expected) {
          if (!workload.expected[kind].includes(key)) return { key, right: false, why: `${kind}: ${key} (status ${status}), expected ${workload.expected[kind].join(' or ')}` };
          if (key !== 'admitted' && (status < 400 || status >= 500)) return { key, right: false, why: `${kind}: ${key} with status ${status}` };
        }
        return { key, right: true };
      },
    };
  };
}

/** The next request of an HTTP workload sent to `url`, drawn with `random` (a seeded sequence: runs repeat their requests). */
export async function requestFactory(workload: Exclude<Workload, { kind: 'sql' }>, url: string, random: Random): Promise<() => Built> {
  switch (workload.kind) {
    case 'product':
      return productRequests(workload, random);
    case 'products':
      return productsRequests(workload, random);
    case 'hostile':
      return hostileRequests(workload, random);
    case 'me':
      return meRequests(workload, random);
    case 'all-orders':
      return allOrdersRequests(workload, random);
    case 'replay':
      return replayRequests(workload, url, random);
  }
}

/** An answer's text judged against what the request must get. */
export function judge(built: Built, status: number, text: string): { answer: GraphQLAnswer | null; key: string; right: boolean; why: string } {
  let answer: GraphQLAnswer | null = null;
  try {
    answer = JSON.parse(text) as GraphQLAnswer;
  } catch {
    return { answer, key: 'not JSON', right: false, why: `status ${status}: ${text.slice(0, 200)}` };
  }
  const verdict = built.check(status, answer);
  return { answer, key: verdict.key, right: verdict.right, why: verdict.why ?? verdict.key };
}

/** Sends one built request with fetch. */
export async function send(url: string, built: Built): Promise<{ status: number; text: string; headers: Record<string, string> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': built.address, ...built.headers }, body: built.body });
  return { status: response.status, text: await response.text(), headers: Object.fromEntries(response.headers) };
}
