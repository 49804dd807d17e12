// The load generator of the benches, a process of its own:
//   node --import tsx bench/load-generator.ts   (a LoadSpec as JSON on the first line of stdin)
// Runs autocannon with N connections for T seconds, every request built anew (another
// product, search, page, shopper, attacker address...), checks every answer against what that
// request must get, and prints one line `RESULT <json>` (a LoadResult). It prints `STARTED`
// when the timed run begins; told `untilStopped`, it ends when the parent writes `stop`.
// An `sql` workload runs captured SQL statements with `pg` on N connections instead.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { statementNames } from '@shop/db';
import { makeMany } from '@shop/testing/make-many';
import { judge, requestFactory, send, type Built } from './requests.js';
import { seededRandom, type LoadResult, type LoadSpec, type OutcomeStats, type SqlWorkload } from './workloads.js';

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
    const verdict = judge(built, status, body);
    if (built.kind) this.kinds[built.kind] = (this.kinds[built.kind] ?? 0) + 1;
    const cacheHeader = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-cache')?.[1];
    const cache = typeof cacheHeader === 'string' ? cacheHeader : 'none';
    this.cache[cache] = (this.cache[cache] ?? 0) + 1;
    this.tally(`${status} ${verdict.key}${verdict.key !== 'admitted' && verdict.answer?.data ? ' (with data)' : ''}`, latency, verdict.right, verdict.why);
  }

  tally(outcome: string, latency: number, right: boolean, why: string) {
    this.latencies.push(latency);
    let list = this.byOutcome.get(outcome);
    if (!list) this.byOutcome.set(outcome, (list = []));
    list.push(latency);
    if (!right) {
      this.wrong += 1;
      if (this.wrongSamples.length < 5) this.wrongSamples.push(why);
    }
  }

  /** The LoadResult of a timed run; `extra` says what the HTTP client saw beyond the answers. */
  summary(spec: LoadSpec, seconds: number, warmed: { requests: number; wrong: number; samples: string[] }, extra = { timeouts: 0, connectionErrors: 0, unanswered: 0 }): LoadResult {
    const sorted = Float64Array.from(this.latencies).sort();
    const outcomes: Record<string, OutcomeStats> = {};
    for (const [outcome, latencies] of [...this.byOutcome.entries()].sort((a, b) => b[1].length - a[1].length)) {
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
      wrong: this.wrong,
      wrongSamples: [...warmed.samples.map((sample) => `warm-up: ${sample}`), ...this.wrongSamples].slice(0, 5),
      outcomes,
      kinds: this.kinds,
      cache: this.cache,
      ...extra,
      warmRequests: warmed.requests,
      warmWrong: warmed.wrong,
    };
  }
}

/**
 * The SQL alone: each of `connections` workers takes a random captured group (what one request
 * issued to this database) and runs its statements in order on one connection, as the request
 * did, each prepared once per connection as the subgraphs run them (docs/adr/0040). Its rate is
 * groups per second: the requests per second the database could serve.
 */
async function runSql(spec: LoadSpec, workload: SqlWorkload, stopRequested: Promise<void>): Promise<LoadResult> {
  const random = seededRandom(spec.seed);
  const pool = new pg.Pool({ connectionString: workload.databaseUrl, max: spec.connections });
  const recorder = new Recorder();
  const nameOf = statementNames();
  const runGroup = async (client: pg.PoolClient, into?: Recorder) => {
    const group = workload.groups[Math.floor(random() * workload.groups.length)]!;
    const started = performance.now();
    try {
      for (const statement of group) await client.query({ name: nameOf({ sql: statement.text }), text: statement.text, values: statement.values });
      into?.tally('ok', performance.now() - started, true, '');
    } catch (error) {
      // A failed statement inside a captured transaction leaves it aborted: end it before the next group.
      await client.query('ROLLBACK').catch(() => undefined);
      into?.tally('error', performance.now() - started, false, (error as Error).message.slice(0, 200));
    }
  };
  const clients = await Promise.all(Array.from({ length: spec.connections }, () => pool.connect()));
  const warmRecorder = new Recorder();
  const warmCount = typeof spec.warm === 'number' ? spec.warm : 0;
  for (let index = 0; index < warmCount; index++) await runGroup(clients[index % clients.length]!, warmRecorder);
  let stopped = false;
  void stopRequested.then(() => (stopped = true));
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;
  console.log('STARTED');
  await Promise.all(
    clients.map(async (client) => {
      while (!stopped && performance.now() < deadline) await runGroup(client, recorder);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) client.release();
  await pool.end();
  return recorder.summary(spec, seconds, { requests: warmCount, wrong: warmRecorder.wrong, samples: warmRecorder.wrongSamples });
}

/** Before timing: `count` requests (or every product once), 8 at a time, checked like the rest. */
async function warm(spec: LoadSpec, next: () => Built): Promise<{ requests: number; wrong: number; samples: string[] }> {
  const recorder = new Recorder();
  let builds: Array<() => Promise<Built>>;
  if (spec.warm === 'every-product') {
    const workload = spec.workload;
    if (workload.kind !== 'product') throw new Error('every-product warms the product workload only');
    builds = workload.catalog.products.map((product) => () => requestFactory({ ...workload, catalog: { ...workload.catalog, products: [product] } }, spec.url, Math.random).then((fixed) => fixed()));
  } else {
    builds = Array.from({ length: spec.warm ?? 0 }, () => () => Promise.resolve(next()));
  }
  await makeMany(builds.length, async (index) => {
    const built = await builds[index]!();
    const started = performance.now();
    const sent = await send(spec.url, built);
    recorder.record(built, sent.status, sent.text, sent.headers, performance.now() - started);
  });
  return { requests: builds.length, wrong: recorder.wrong, samples: recorder.wrongSamples };
}

async function run(spec: LoadSpec, stopRequested: Promise<void>): Promise<LoadResult> {
  if (spec.workload.kind === 'sql') return runSql(spec, spec.workload, stopRequested);
  const random = seededRandom(spec.seed);
  const next = await requestFactory(spec.workload, spec.url, random);
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
    ...(spec.rate ? { overallRate: spec.rate } : {}),
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
          return { ...request, headers: { ...request.headers, 'x-forwarded-for': built.address, ...built.headers }, body: built.body };
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
  return recorder.summary(spec, seconds, warmed, {
    timeouts: result.timeouts,
    connectionErrors: result.errors - result.timeouts,
    unanswered: Math.max(0, sent - recorder.latencies.length - result.timeouts),
  });
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
