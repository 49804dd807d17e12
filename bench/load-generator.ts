// The load generator of bench:hostile and bench:admission, a process of its own:
//   node --import tsx bench/load-generator.ts   (a LoadSpec as JSON on the first line of stdin)
// Runs autocannon with N connections for T seconds, every request built anew (another
// product, search, page, attacker address...), checks every answer against what that request
// must get, and prints one line `RESULT <json>` (a LoadResult). It prints `STARTED` when the
// timed run begins; told `untilStopped`, it ends when the parent writes `stop`.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import {
  between,
  expectedPage,
  hostileDocuments,
  hostileKinds,
  pick,
  seededRandom,
  sorts,
  type HostileKind,
  type HostileWorkload,
  type Random,
  type LoadResult,
  type LoadSpec,
  type OutcomeStats,
  type ProductsRequest,
  type ProductsWorkload,
  type ProductWorkload,
} from './workloads.js';

/** What one request was, so its answer can be checked: the body, headers and a checker of the parsed answer. */
interface Built {
  body: string;
  address: string;
  /** The hostile kind, for the counts by kind. */
  kind?: HostileKind;
  /** Returns the outcome key ("admitted" or an error code) and whether the answer is right. */
  check(status: number, answer: GraphQLAnswer): { key: string; right: boolean; why?: string };
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
}

const errorCode = (answer: GraphQLAnswer) => answer.errors?.[0]?.extensions?.code ?? (answer.errors?.length ? 'NO_CODE' : undefined);

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
  return () => {
    const minPrice = random() < 0.5 ? 10 * between(random, 0, 30) : undefined;
    const request: ProductsRequest = {
      search: random() < 0.6 ? pick(random, catalog.searchTerms) : undefined,
      categoryId: random() < 0.3 ? pick(random, catalog.categories).id : undefined,
      // Half the requests ask for a price range: a shop's price slider.
      minPrice: minPrice === undefined ? undefined : `${minPrice}.00`,
      maxPrice: minPrice === undefined ? undefined : `${minPrice + 10 * between(random, 5, 30)}.00`,
      page: random() < 0.5 ? 1 : between(random, 2, 5),
      limit: pick(random, [10, 20, 50]),
      sort: pick(random, sorts),
    };
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
        const page = data.products as { items?: Array<{ id: string; category?: { id?: string } | null }>; meta?: Record<string, number> } | undefined;
        if (!page?.items || !page.meta) return 'no products page';
        const expected = expectedPage(catalog, request);
        const ids = page.items.map((item) => item.id);
        if (ids.join() !== expected.ids.join()) return `ids of ${JSON.stringify(request)}: ${ids.length} got, ${expected.ids.length} expected, first ${ids[0]} vs ${expected.ids[0]}`;
        if (page.meta.totalItems !== expected.totalItems) return `totalItems ${page.meta.totalItems}, expected ${expected.totalItems}`;
        if (page.meta.currentPage !== request.page || page.meta.itemsPerPage !== request.limit) return `meta ${JSON.stringify(page.meta)}`;
        const misplaced = page.items.find((item) => item.category?.id !== categoryOf.get(item.id));
        return misplaced ? `category of ${misplaced.id}` : null;
      }),
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

function requestFactory(spec: LoadSpec, random: Random): () => Built {
  switch (spec.workload.kind) {
    case 'product':
      return productRequests(spec.workload, random);
    case 'products':
      return productsRequests(spec.workload, random);
    case 'hostile':
      return hostileRequests(spec.workload, random);
  }
}

const percentile = (sorted: Float64Array | number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
const round = (ms: number) => Math.round(ms * 100) / 100;

class Recorder {
  readonly latencies: number[] = [];
  readonly byOutcome = new Map<string, number[]>();
  readonly kinds: Record<string, number> = {};
  readonly cache: Record<string, number> = {};
  wrong = 0;
  readonly wrongSamples: string[] = [];

  record(built: Built, status: number, body: string, headers: Record<string, unknown>, latency: number) {
    let answer: GraphQLAnswer | null = null;
    try {
      answer = JSON.parse(body) as GraphQLAnswer;
    } catch {
      // counted below as a wrong answer
    }
    const verdict = answer ? built.check(status, answer) : { key: 'not JSON', right: false, why: `status ${status}: ${body.slice(0, 200)}` };
    const outcome = `${status} ${verdict.key}${verdict.key !== 'admitted' && answer?.data ? ' (with data)' : ''}`;
    this.latencies.push(latency);
    let list = this.byOutcome.get(outcome);
    if (!list) this.byOutcome.set(outcome, (list = []));
    list.push(latency);
    if (built.kind) this.kinds[built.kind] = (this.kinds[built.kind] ?? 0) + 1;
    const cacheHeader = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-cache')?.[1];
    const cache = typeof cacheHeader === 'string' ? cacheHeader : 'none';
    this.cache[cache] = (this.cache[cache] ?? 0) + 1;
    if (!verdict.right) {
      this.wrong += 1;
      if (this.wrongSamples.length < 5) this.wrongSamples.push(verdict.why ?? verdict.key);
    }
  }
}

/** Before timing: `count` requests (or every product once), 8 at a time, checked like the rest. */
async function warm(spec: LoadSpec, next: () => Built): Promise<{ requests: number; wrong: number; samples: string[] }> {
  const recorder = new Recorder();
  let builds: Array<() => Built>;
  if (spec.warm === 'every-product') {
    if (spec.workload.kind !== 'product') throw new Error('every-product warms the product workload only');
    const workload = spec.workload;
    builds = workload.catalog.products.map((product) => () => {
      const fixed = productRequests({ ...workload, catalog: { ...workload.catalog, products: [product] } }, Math.random);
      return fixed();
    });
  } else {
    builds = Array.from({ length: spec.warm ?? 0 }, () => next);
  }
  let index = 0;
  const worker = async () => {
    while (index < builds.length) {
      const built = builds[index++]!();
      const started = performance.now();
      const response = await fetch(spec.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': built.address }, body: built.body });
      const body = await response.text();
      recorder.record(built, response.status, body, Object.fromEntries(response.headers), performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { requests: builds.length, wrong: recorder.wrong, samples: recorder.wrongSamples };
}

async function run(spec: LoadSpec, stopRequested: Promise<void>): Promise<LoadResult> {
  const random = seededRandom(spec.seed);
  const next = requestFactory(spec, random);
  const warmed = await warm(spec, next);
  const recorder = new Recorder();
  interface Context {
    built?: Built;
    sentAt?: number;
  }
  let sent = 0;
  const started = performance.now();
  const options: autocannon.Options = {
    url: spec.url,
    method: 'POST',
    connections: spec.connections,
    duration: spec.seconds,
    // A refused or answered request takes milliseconds; one that takes longer is counted, not waited for.
    timeout: 30,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        // autocannon keeps one context per connection and renews it for each request.
        setupRequest: (request, context: Context) => {
          const built = next();
          context.built = built;
          context.sentAt = performance.now();
          sent += 1;
          return { ...request, headers: { ...request.headers, 'x-forwarded-for': built.address }, body: built.body };
        },
        onResponse: (status, body, context: Context, headers) => {
          if (!context.built || context.sentAt === undefined) return;
          recorder.record(context.built, status, body, headers as Record<string, unknown>, performance.now() - context.sentAt);
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, finished) => (error ? reject(error) : resolve(finished)));
    // autocannon looks at a stop request once a second.
    void stopRequested.then(() => instance.stop());
    console.log('STARTED');
  });
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(recorder.latencies).sort();
  const outcomes: Record<string, OutcomeStats> = {};
  for (const [outcome, latencies] of [...recorder.byOutcome.entries()].sort((a, b) => b[1].length - a[1].length)) {
    const ordered = Float64Array.from(latencies).sort();
    outcomes[outcome] = { count: ordered.length, p50: round(percentile(ordered, 50)), p99: round(percentile(ordered, 99)) };
  }
  return {
    label: spec.label,
    requests: sorted.length,
    seconds: round(seconds),
    rps: round(sorted.length / seconds),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1]! : 0),
    wrong: recorder.wrong,
    wrongSamples: [...warmed.samples.map((sample) => `warm-up: ${sample}`), ...recorder.wrongSamples].slice(0, 5),
    outcomes,
    kinds: recorder.kinds,
    cache: recorder.cache,
    timeouts: result.timeouts,
    connectionErrors: result.errors - result.timeouts,
    unanswered: Math.max(0, sent - sorted.length - result.timeouts),
    warmRequests: warmed.requests,
    warmWrong: warmed.wrong,
  };
}

const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
const first = await iterator.next();
if (first.done) throw new Error('load generator: expected a LoadSpec as JSON on stdin');
const spec = JSON.parse(first.value) as LoadSpec;
const stopRequested = new Promise<void>((resolve) => {
  if (!spec.untilStopped) return;
  void (async () => {
    for (let line = await iterator.next(); !line.done; line = await iterator.next()) {
      if (line.value.trim() === 'stop') break;
    }
    resolve();
  })();
});
const result = await run(spec, stopRequested);
console.log(`RESULT ${JSON.stringify(result)}`);
lines.close();
process.exit(0);
