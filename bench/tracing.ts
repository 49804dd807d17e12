// npm run bench:tracing — what OpenTelemetry tracing (docs/adr/0023) costs a request. Two
// supergraphs side by side on the same databases: one with tracing on in every process
// (OTEL_TRACES_SAMPLER=always_on, OTLP/HTTP protobuf, the default, to a receiver in a process
// of its own), one with no OTEL_* at all (no SDK loaded). Cells alternate between them, round
// after round, for `Product` (a random id of 500) and `Products` (every request a different
// search, category, page, size and order), response cache off so every request reaches a
// subgraph and its database. Every answer is checked by the load generator. Writes bench/README.md.
//   npm run bench:tracing -- --seconds=8 --rounds=3 --connections=32
import { contractOperation } from '@shop/testing';
import { numberArgument } from './arguments.js';
import { freePort, machineLine, runBench, runLoad, sourceLine, startCluster, startServer, watchForInterference, writeReadmeSection, type ServerProcess } from './processes.js';
import type { LoadResult, Workload } from './workloads.js';

const SECONDS = numberArgument('seconds', 8);
const ROUNDS = numberArgument('rounds', 3);
const CONNECTIONS = numberArgument('connections', 32);

type Mode = 'on' | 'off';
const shoppers = Array.from({ length: 250 }, (_, index) => `198.51.100.${index + 1}`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const fixed = (value: number, digits = 1) => value.toFixed(digits);

const exportsOf = async (receiver: ServerProcess) =>
  ((await (await fetch(new URL('/health', receiver.url))).json()) as { exports: { requests: number; bytes: number } }).exports;

// Not waiting for a quiet machine (on a shared one it may never come): each cell says whether
// another load ran meanwhile, and the alternation cancels a load that drifts slowly.
await runBench('bench:tracing', 30, async () => {
  console.log('Starting PostgreSQL databases, the catalog (20 categories, 500 products), a trace receiver and two supergraphs (tracing on, off)...');
  const cluster = await startCluster();
  const receiverPort = await freePort();
  const receiver = await startServer('trace receiver', 'bench/trace-receiver.ts', { RECEIVER_PORT: String(receiverPort) }, `http://127.0.0.1:${receiverPort}/`);
  const tracingOn = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`, OTEL_TRACES_SAMPLER: 'always_on' };
  const traced = await cluster.startSubgraphSet('traced', tracingOn);
  const gateways: Record<Mode, ServerProcess> = {
    on: await cluster.startGateway('traced', {
      RESPONSE_CACHE: 'false',
      USERS_URL: traced.urls.users,
      CATALOG_URL: traced.urls.catalog,
      ORDERS_URL: traced.urls.orders,
      ...tracingOn,
    }),
    off: await cluster.startGateway('untraced', { RESPONSE_CACHE: 'false' }),
  };
  const workloads: Record<'Product' | 'Products', Workload> = {
    Product: { kind: 'product', query: contractOperation('frontend', 'Product'), catalog: cluster.catalog, clientAddresses: shoppers },
    Products: { kind: 'products', query: contractOperation('frontend', 'Products'), catalog: cluster.catalog, clientAddresses: shoppers },
  };
  const cells: Array<{ workload: keyof typeof workloads; mode: Mode; result: LoadResult; disturbed: boolean }> = [];
  for (const workload of ['Product', 'Products'] as const) {
    for (const mode of ['on', 'off'] as const) {
      // Not measured: connections, JIT, query plans.
      await runLoad({ label: `warm-up ${workload} ${mode}`, url: gateways[mode].url, connections: CONNECTIONS, seconds: 2, workload: workloads[workload], seed: 99 });
    }
    // off, on, off, on, ..., off: every on cell has an off cell on each side.
    for (let round = 1; round <= ROUNDS + 1; round++) {
      for (const mode of round <= ROUNDS ? (['off', 'on'] as const) : (['off'] as const)) {
        const label = `${workload}, tracing ${mode}, round ${round}`;
        const watch = watchForInterference();
        const result = await runLoad({ label, url: gateways[mode].url, connections: CONNECTIONS, seconds: SECONDS, workload: workloads[workload], warm: 50, seed: 1_000 * round + (workload === 'Product' ? 1 : 2) });
        const { disturbed } = watch.stop();
        cells.push({ workload, mode, result, disturbed });
        console.log(`${label.padEnd(32)} ${fixed(result.rps, 0).padStart(6)} req/s  p50 ${fixed(result.p50).padStart(6)} ms  p99 ${fixed(result.p99).padStart(6)} ms  ${result.wrong} wrong${disturbed ? '  (disturbed)' : ''}`);
      }
    }
  }
  // Stopping flushes what the traced processes still buffer.
  await Promise.all([gateways.on.stop(), ...Object.values(traced.subgraphs).map((subgraph) => subgraph.stop())]);
  const received = await exportsOf(receiver);

  const rows: string[] = [];
  for (const workload of ['Product', 'Products'] as const) {
    const of = (mode: Mode) => cells.filter((cell) => cell.workload === workload && cell.mode === mode);
    const off = of('off');
    const on = of('on');
    // Each on cell against the mean of the off cells just before and after it: a drift over the run cancels out.
    const ratios = (value: (result: LoadResult) => number) => on.map((cell, index) => value(cell.result) / ((value(off[index]!.result) + value(off[index + 1]!.result)) / 2));
    const rps = ratios((result) => result.rps);
    const wrong = [...on, ...off].reduce((sum, cell) => sum + cell.result.wrong + cell.result.warmWrong, 0);
    rows.push(
      `| ${workload} | ${fixed(median(off.map((cell) => cell.result.rps)), 0)} | ${fixed(median(on.map((cell) => cell.result.rps)), 0)} | **${fixed(median(rps), 3)}** | ${rps.map((value) => fixed(value, 3)).join(', ')} | ${fixed(median(ratios((result) => result.p50)), 2)} | ${fixed(median(ratios((result) => result.p99)), 2)} | ${wrong} |`,
    );
  }
  const disturbedCells = cells.filter((cell) => cell.disturbed).length;
  const disturbed = disturbedCells ? `${disturbedCells} of ${cells.length} cells overlapped another load on this machine (a jest run, or processes this run did not start using over 10 % of a core): read the ratios as rough.` : 'No cell overlapped another load.';
  const section = [
    `Machine: ${machineLine()}; ${sourceLine()}. Both supergraphs (3 subgraphs + 1 gateway each), the receiver, PostgreSQL, Redis and the load generator share the cores.`,
    `Each cell: ${CONNECTIONS} connections for ${SECONDS} s, anonymous, response cache off. Cells alternate off, on, ..., off (${ROUNDS} rounds, then one more off cell). Tracing on: every request sampled, spans batched and sent as OTLP/HTTP protobuf to a receiver process; ${received.requests} exports, ${fixed(received.bytes / 2 ** 20)} MiB received.`,
    '',
    '| workload | off: median req/s | on: median req/s | on / off req/s | per round | p50 on / off | p99 on / off | wrong answers |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
    ...rows,
    disturbed,
  ].join('\n');
  console.log(`\n${section}`);
  await writeReadmeSection('tracing', '## Tracing overhead (`npm run bench:tracing`)', 'Tracing on (every request sampled) against off, on the same machine in one run.', section);
  console.log('\nWrote bench/README.md');
});
