// npm run bench:memory — the gateway's resident memory under sustained load, beside plain
// Apollo Gateway's: each workload whose requests differ (bench/real-traffic.ts), each gateway a
// new process (nothing left from an earlier load), 30 s of load, VmRSS read every 250 ms. First
// each gateway as fast as it answers, then both at one rate both sustain (80 % of what Apollo
// Gateway answered): V8 sizes its heap from the allocation rate, so only the second compares
// like with like. `npm run bench`'s peak per 5-s cell shows instead how far a heap that shrank
// while its gateway sat idle grows in 5 s (docs/adr/0052).
//   npm run bench:memory -- --seconds=30 --connections=32
import { numberArgument } from './arguments.js';
import { realTrafficWorkloads, SHOPPERS } from './real-traffic.js';
import {
  highBudgets,
  machineLine,
  measureQuietly,
  runBench,
  sourceLine,
  startCluster,
  startLoad,
  waitForQuiet,
  writeReadmeSection,
  type Cluster,
  type ServerProcess,
} from './processes.js';
import type { LoadResult, Workload } from './workloads.js';

const SECONDS = numberArgument('seconds', 30);
const CONNECTIONS = numberArgument('connections', 32);
/** The shared rate, as a share of what Apollo Gateway answered as fast as it could. */
const SHARED_RATE = 0.8;
const SAMPLE_MS = 250;
/** Idle between the process being healthy and its load: start-up's garbage is collected by then, as in a long-lived process. */
const SETTLE_MS = 3_000;

type GatewayName = 'Apollo Gateway' | 'ours, cache off';

interface Cell {
  result: LoadResult;
  idleMiB: number;
  peakMiB: number;
  /** Mean of the samples in the second half of the load: where the heap settles, less at the mercy of one collection's timing than the peak. */
  settledMiB: number;
  cpuMicros: number;
  disturbed: boolean;
}

const starters = (cluster: Cluster): Record<GatewayName, () => Promise<ServerProcess>> => ({
  'Apollo Gateway': () => cluster.startPeer('Apollo Gateway', { peer: 'apollo' }),
  'ours, cache off': () => cluster.startGateway('ours-memory', { RESPONSE_CACHE: 'false', ...highBudgets }),
});

/** A new gateway process, left idle a moment, then SECONDS of load (at `rate`, or as fast as it answers) with its memory read throughout. */
async function measureCell(label: string, start: () => Promise<ServerProcess>, workload: Workload, seed: number, rate?: number): Promise<Cell> {
  const { result, disturbed } = await measureQuietly(label, async () => {
    const server = await start();
    try {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const idleMiB = server.rssKiB() / 1024;
      const load = startLoad({ label, url: server.url, connections: CONNECTIONS, seconds: SECONDS, workload, warm: 50, seed, rate });
      await load.started;
      const cpuBefore = server.cpuSeconds();
      const samples: number[] = [];
      const timer = setInterval(() => samples.push(server.rssKiB() / 1024), SAMPLE_MS);
      const result = await load.result.finally(() => clearInterval(timer));
      const cpuSeconds = server.cpuSeconds() - cpuBefore;
      const settled = samples.slice(Math.floor(samples.length / 2));
      return {
        result,
        idleMiB,
        peakMiB: Math.max(...samples),
        settledMiB: settled.reduce((sum, value) => sum + value, 0) / Math.max(1, settled.length),
        cpuMicros: (1e6 * cpuSeconds) / Math.max(1, result.requests),
      };
    } finally {
      await server.stop();
    }
  });
  return { ...result, disturbed };
}

await waitForQuiet();
await runBench('bench:memory', 40, async () => {
  const startedAt = Date.now();
  console.log(`Starting PostgreSQL databases (500 products, ${SHOPPERS} shoppers with carts and orders) and three subgraph processes...`);
  const cluster = await startCluster({ shoppers: SHOPPERS });
  const workloads = (await realTrafficWorkloads(cluster)).filter((workload) => !workload.identical);
  const start = starters(cluster);
  const rows: string[] = [];
  let disturbed = false;
  for (const [index, workload] of workloads.entries()) {
    // Each workload starts with the other gateway: neither always meets the machine first.
    const order: GatewayName[] = index % 2 ? ['ours, cache off', 'Apollo Gateway'] : ['Apollo Gateway', 'ours, cache off'];
    const cells = new Map<string, Cell>();
    const measure = async (gateway: GatewayName, load: string, rate?: number) => {
      const label = `${workload.name} | ${load} | ${gateway}`;
      const cell = await measureCell(label, start[gateway], workload.build(gateway === 'Apollo Gateway' ? 'peer' : 'ours'), index + 1, rate);
      cells.set(`${load} | ${gateway}`, cell);
      disturbed ||= cell.disturbed;
      console.log(
        `${label.padEnd(100)} ${cell.result.rps.toFixed(0).padStart(6)} req/s  idle ${cell.idleMiB.toFixed(0)} MiB  peak ${cell.peakMiB.toFixed(0)} MiB  settled ${cell.settledMiB.toFixed(0)} MiB  ${cell.cpuMicros.toFixed(0)} µs CPU/req${cell.disturbed ? '  (disturbed)' : ''}`,
      );
    };
    for (const gateway of order) await measure(gateway, 'as fast as each answers');
    const rate = Math.max(10, Math.floor(SHARED_RATE * cells.get('as fast as each answers | Apollo Gateway')!.result.rps));
    const shared = `at ${rate} req/s, both`;
    for (const gateway of order) await measure(gateway, shared, rate);
    for (const load of ['as fast as each answers', shared]) {
      const apollo = cells.get(`${load} | Apollo Gateway`)!;
      for (const gateway of ['Apollo Gateway', 'ours, cache off'] as const) {
        const cell = cells.get(`${load} | ${gateway}`)!;
        const versus = (value: number, reference: number) => (gateway === 'Apollo Gateway' ? value.toFixed(0) : `${value.toFixed(0)} (${(value / reference).toFixed(2)}×)`);
        rows.push(
          `| ${workload.name} | ${load} | ${gateway} | ${cell.result.rps.toFixed(0)} | ${cell.cpuMicros.toFixed(0)} | ${cell.idleMiB.toFixed(0)} | ${versus(cell.peakMiB, apollo.peakMiB)} | ${versus(cell.settledMiB, apollo.settledMiB)} | ${cell.result.wrong + cell.result.warmWrong} |`,
        );
      }
    }
  }
  const section = [
    `${machineLine()}; ${sourceLine()}. Each cell a new gateway process, idle ${SETTLE_MS / 1000} s, then ${SECONDS} s of load on ${CONNECTIONS} connections (after 50 untimed requests); VmRSS every ${SAMPLE_MS} ms. One run of ${((Date.now() - startedAt) / 60_000).toFixed(1)} min.${disturbed ? ' **Some cells ran beside other work on the machine.**' : ''}`,
    '',
    '*Peak*: the highest sample; *settled*: the mean of the samples over the load\'s second half. *At N req/s, both*: both gateways offered the same rate, 80 % of what Apollo Gateway answered as fast as it could.',
    '',
    '| workload | load | gateway | req/s | gateway CPU µs/req | idle MiB | peak RSS MiB (vs Apollo) | settled RSS MiB (vs Apollo) | bad answers |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(`\n${section}`);
  await writeReadmeSection(
    'memory',
    '## Resident memory under sustained load (`npm run bench:memory`)',
    'Our gateway with the cache off (production settings) and plain Apollo Gateway on the same subgraphs, each cell a process of its own, the load generator another; every answer checked. docs/adr/0052-gateway-memory-under-sustained-load.md says why this, and not `npm run bench`\'s 5-s cells, is the comparison of resident size under load.',
    section,
  );
});
