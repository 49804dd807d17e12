// npm run bench:cache-hits — the response cache's hit path against its floor, and the
// gateway's resident memory against plain Apollo Gateway's. Every server is a process of its
// own, as production runs it: our gateway (NODE_ENV=production, the cache in Redis), a bare
// node:http server answering each request with the bytes our gateway answered it with
// (bench/peer-gateways.ts), and the load generator (bench/load-generator.ts), which sends
// `Product` for a random id of the 500 seeded (all cached beforehand) and checks every answer.
// Cells alternate between the gateway and the bare server, round after round; CPU per request
// is each server's own CPU time (from /proc) over its timed run, divided by the answers.
// Then resident memory under the same load: our gateway with the cache off and on, and plain
// Apollo Gateway, peak (VmHWM) of each process, each as fast as it answers and then ours and
// Apollo Gateway at one rate both sustain. Writes bench/README.md.
//   npm run bench:cache-hits -- --seconds=10 --rounds=3 --connections=32 [--profile] [--hits-only] [--busy]
// --profile also profiles the gateway's CPU (bench/cpu-profile-agent.mjs) over one more hit cell and
// prints where it went (self time by module and by function).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractOperation, makeMany } from '@shop/testing';
import { numberArgument } from './arguments.js';
import {
  highBudgets,
  loadGeneratorPids,
  machineLine,
  measureQuietly,
  median,
  runBench,
  sampleUsage,
  shoppers,
  sourceLine,
  startCluster,
  startLoad,
  waitForQuiet,
  writeReadmeSection,
  type ServerProcess,
} from './processes.js';
import { profilerNodeOptions, selfTimes, takeProfile, topLines } from './cpu-profile.js';
import type { LoadResult, ProductWorkload } from './workloads.js';

const SECONDS = numberArgument('seconds', 10);
const ROUNDS = numberArgument('rounds', 3);
const CONNECTIONS = numberArgument('connections', 32);
const MEMORY_SECONDS = numberArgument('memory-seconds', 15);
const PROFILE = process.argv.includes('--profile');
/** Measures at once, beside whatever else runs (CPU per request holds better than rates then). */
const BUSY = process.argv.includes('--busy');
/** Leaves out resident memory (and bench/README.md): for a quick look at the hit path. */
const HITS_ONLY = process.argv.includes('--hits-only');

const spread = (values: number[], digits = 0) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

interface Cell {
  result: LoadResult;
  /** The server's CPU µs per answer in the timed run. */
  cpuMicros: number;
  disturbed: boolean;
}

/**
 * Waits until the gateway has read the subgraphs' events up to now: a new one replays the
 * seeding's (its cache in Redis may hold answers from before), and each purges what it fills.
 */
async function eventsCurrent(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = (await fetch(new URL('/ready', server.url)).then((response) => response.json(), () => null)) as { checks?: { events?: { state?: string } } } | null;
    if (ready?.checks?.events?.state === 'current') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${server.name} did not catch up with the subgraphs' events within 60 s`);
}

/** Each product's request body, as the load generator sends it. */
const bodyOf = (workload: ProductWorkload, id: string) => JSON.stringify({ query: workload.query, variables: { id } });

/** Asks the gateway for every product (8 at a time) and returns each answer: misses fill the cache, a second pass finds hits. */
async function askEveryProduct(url: string, workload: ProductWorkload): Promise<Map<string, { cache: string | null; body: string }>> {
  const answers = new Map<string, { cache: string | null; body: string }>();
  const ids = workload.catalog.products.map((product) => product.id);
  await makeMany(ids.length, async (index) => {
    const body = bodyOf(workload, ids[index]!);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': shoppers[0]! }, body });
    answers.set(body, { cache: response.headers.get('x-cache'), body: await response.text() });
  });
  return answers;
}

/**
 * Fills the cache with every product and returns the answers, once a pass finds them all
 * cached: the subgraphs' outbox relays number the seeding's events for a while after they
 * start, and the gateway purges as it reads them.
 */
async function everyProductCached(server: ServerProcess, workload: ProductWorkload): Promise<Map<string, { cache: string | null; body: string }>> {
  await eventsCurrent(server);
  await askEveryProduct(server.url, workload);
  for (let pass = 0; pass < 20; pass++) {
    const answers = await askEveryProduct(server.url, workload);
    if ([...answers.values()].every((answer) => answer.cache === 'HIT')) return answers;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`${server.name}: every product was not cached after 20 passes`);
}

/** One timed run of the load generator against `server`, its CPU read from /proc from the moment timing starts. */
async function measureCell(server: ServerProcess, label: string, workload: ProductWorkload, seconds: number, seed: number, warm?: 'every-product', rate?: number): Promise<Cell> {
  const measure = async () => {
    const load = startLoad({ label, url: server.url, connections: CONNECTIONS, seconds, workload, seed, warm, rate });
    await load.started;
    const sampler = sampleUsage([{ name: 'server', pids: () => [server.pid] }, { name: 'load', pids: loadGeneratorPids }]);
    const result = await load.result;
    const usage = sampler.stop().get('server')!;
    return { result, cpuMicros: (1e6 * usage.cpuSeconds) / Math.max(1, result.requests) };
  };
  const { result, disturbed } = BUSY ? { result: await measure(), disturbed: true } : await measureQuietly(label, measure);
  if (result.result.wrong > 0) throw new Error(`${label}: ${result.result.wrong} wrong answers: ${result.result.wrongSamples.join('; ')}`);
  return { ...result, disturbed };
}

if (!BUSY) await waitForQuiet();
await runBench('bench:cache-hits', 30, async () => {
  console.log('Starting PostgreSQL databases, the catalog (20 categories, 500 products) and three subgraph processes...');
  const cluster = await startCluster();
  const workload: ProductWorkload = { kind: 'product', query: contractOperation('frontend', 'Product'), catalog: cluster.catalog, clientAddresses: shoppers };
  const gateway = await cluster.startGateway('gateway (cache on)', highBudgets);
  await eventsCurrent(gateway);

  const answers = await everyProductCached(gateway, workload);
  const directory = mkdtempSync(join(tmpdir(), 'cache-hits-'));
  const answersFile = join(directory, 'answers.json');
  writeFileSync(answersFile, JSON.stringify(Object.fromEntries([...answers].map(([body, answer]) => [body, answer.body]))));
  const bare = await cluster.startPeer('bare node:http', { peer: 'bare', answersFile });

  const cells = { gateway: [] as Cell[], bare: [] as Cell[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? (['bare', 'gateway'] as const) : (['gateway', 'bare'] as const);
    for (const which of order) {
      // Answers live 60 s (the Product type's max-age), and a load generator starting on a busy
      // machine takes a while: it fills the cache again itself, right before its timed run.
      const cell = await measureCell(which === 'gateway' ? gateway : bare, `${which} round ${round + 1}`, workload, SECONDS, round + 1, which === 'gateway' ? 'every-product' : undefined);
      cells[which].push(cell);
      const { result } = cell;
      console.log(
        `round ${round + 1} ${which.padEnd(8)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  ${cell.cpuMicros.toFixed(1)} µs CPU/request  x-cache ${JSON.stringify(result.cache)}${cell.disturbed ? '  (disturbed)' : ''}`,
      );
    }
  }
  const hitPeakMiB = gateway.peakRssKiB() / 1024;
  await gateway.stop();

  if (PROFILE) {
    const profiled = await cluster.startGateway('gateway (cache on, profiled)', { ...highBudgets, NODE_OPTIONS: profilerNodeOptions });
    await everyProductCached(profiled, workload);
    // Not measured quietly: a profile's shares hold beside other work, and waiting would fill it with idle time.
    const load = startLoad({ label: 'profiled gateway', url: profiled.url, connections: CONNECTIONS, seconds: SECONDS, workload, seed: 99, warm: 'every-product' });
    await load.started;
    process.kill(profiled.pid, 'SIGUSR2');
    await load.result;
    process.kill(profiled.pid, 'SIGUSR2');
    const profile = await takeProfile(profiled.pid);
    await profiled.stop();
    if (profile) {
      const { byFunction, byModule, total } = selfTimes(profile);
      const share = (micros: number) => `${((100 * micros) / total).toFixed(1)} %`;
      console.log(`\nProfile of the gateway serving hits, self time:\n  by module\n${topLines(byModule, 25, share)}\n  by function\n${topLines(byFunction, 30, share)}`);
    } else console.log('\nThe profiled gateway wrote no profile.');
  }

  if (HITS_ONLY) return;
  // Resident memory under the same load: cache off (every request planned and fetched), cache on, plain Apollo Gateway,
  // each as fast as it answers; then ours with the cache off and Apollo Gateway at one rate both sustain, since V8's
  // heap grows with the rate of allocation and ours answers several times Apollo Gateway's rate.
  console.log(`\nResident memory: ${MEMORY_SECONDS} s of the same load on each, one after another...`);
  const memory: Array<{ name: string; peakMiB: number; result: LoadResult; cpuMicros: number }> = [];
  const memoryCell = async (name: string, server: ServerProcess, fill: boolean, rate?: number) => {
    if (fill) await everyProductCached(server, workload);
    const { result, cpuMicros } = await measureCell(server, `${name} memory`, workload, MEMORY_SECONDS, 42, fill ? 'every-product' : undefined, rate);
    memory.push({ name, peakMiB: server.peakRssKiB() / 1024, result, cpuMicros });
    console.log(`${name.padEnd(40)} peak RSS ${(server.peakRssKiB() / 1024).toFixed(0)} MiB  (${result.rps.toFixed(0)} req/s, ${cpuMicros.toFixed(0)} µs CPU/request)`);
    await server.stop();
    return result;
  };
  const startCacheOff = () => cluster.startGateway('gateway (cache off)', { ...highBudgets, RESPONSE_CACHE: 'false' });
  const startApollo = () => cluster.startPeer('plain Apollo Gateway', { peer: 'apollo' });
  await memoryCell('ours, cache off', await startCacheOff(), false);
  await memoryCell('ours, cache on', await cluster.startGateway('gateway (cache on, memory)', highBudgets), true);
  const apolloMost = await memoryCell('plain Apollo Gateway', await startApollo(), false);
  const sharedRate = Math.max(10, Math.floor(0.8 * apolloMost.rps));
  await memoryCell(`ours, cache off, at ${sharedRate} req/s`, await startCacheOff(), false, sharedRate);
  await memoryCell(`plain Apollo Gateway, at ${sharedRate} req/s`, await startApollo(), false, sharedRate);

  const rps = (which: keyof typeof cells) => cells[which].map((cell) => cell.result.rps);
  const ratio = median(rps('gateway')) / median(rps('bare'));
  const rows = (['gateway', 'bare'] as const).map((which) => {
    const list = cells[which];
    const name = which === 'gateway' ? 'our gateway, cache hits (Redis)' : 'bare node:http, same bytes';
    return `| ${name} | ${median(rps(which)).toFixed(0)} (${spread(rps(which))}) | ${median(list.map((cell) => cell.result.p50)).toFixed(2)} | ${median(list.map((cell) => cell.result.p99)).toFixed(2)} | ${median(list.map((cell) => cell.cpuMicros)).toFixed(0)} (${spread(list.map((cell) => cell.cpuMicros))}) |`;
  });
  const disturbed = [...cells.gateway, ...cells.bare].some((cell) => cell.disturbed);
  const section = [
    `${machineLine()}; ${sourceLine()}. ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections, \`Product\` for a random id of 500, all cached; medians (spread).${disturbed ? ' **Some cells ran beside other work on the machine.**' : ''}`,
    '',
    '| server | req/s | p50 ms | p99 ms | CPU µs per request |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Hits are served at ${(100 * ratio).toFixed(0)} % of the bare server's rate. The gateway's peak resident memory over these rounds: ${hitPeakMiB.toFixed(0)} MiB.`,
    '',
    `Resident memory under ${MEMORY_SECONDS} s of the same load (peak VmHWM of the process, a new process for each row): first as fast as each answers, then ours and Apollo Gateway at the same rate, 80 % of what Apollo Gateway answered:`,
    '',
    '| gateway | peak RSS MiB | req/s | CPU µs per request |',
    '| --- | ---: | ---: | ---: |',
    ...memory.map((entry) => `| ${entry.name} | ${entry.peakMiB.toFixed(0)} | ${entry.result.rps.toFixed(0)} | ${entry.cpuMicros.toFixed(0)} |`),
  ].join('\n');
  console.log(`\n${section}`);
  await writeReadmeSection(
    'cache-hits',
    '## Cache hits against a bare server, and resident memory (`npm run bench:cache-hits`)',
    'Our gateway (production settings, the response cache in Redis), a bare node:http server sending the same bytes, plain Apollo Gateway and the load generator, each a process of its own; every answer checked.',
    section,
  );
});
