// npm run bench:hostile — what a shopper gets while an attacker sends hostile operations.
// A stream of Product reads (4 connections, anonymous shoppers from 250 addresses, response
// cache off so every read reaches the catalog) is measured alone, then while a burst of
// hostile operations runs from another load generator (50 connections, anonymous, from 5
// attacker addresses): too deep, list-amplified, hundreds of aliases, 500 levels of nesting,
// and list-amplified queries just under the limits, which are admitted until the budget
// throttles them. The same against the gateway with its protections off (COST_MODE=off, the
// operation limits raised out of reach), for a shorter window. Subgraphs, gateway and each
// load generator are processes of their own. Writes its tables to bench/README.md.
//   npm run bench:hostile -- --seconds=10 --unprotected-seconds=5 --burst-connections=50 --unprotected-connections=50
import { contractOperation } from '@shop/testing';
import { numberArgument } from './arguments.js';
import {
  isHealthy,
  machineLine,
  sourceLine,
  runBench,
  runLoad,
  loadGeneratorPids,
  measureQuietly,
  postgresPids,
  sampleUsage,
  signIn,
  startCluster,
  startLoad,
  waitForQuiet,
  writeReadmeSection,
  type ServerProcess,
  type Usage,
} from './processes.js';
import { hostileDocuments, hostileKinds, seededRandom, type HostileKind, type LoadResult, type ProductWorkload } from './workloads.js';

const SECONDS = numberArgument('seconds', 10);
const UNPROTECTED_SECONDS = numberArgument('unprotected-seconds', 5);
const BURST_CONNECTIONS = numberArgument('burst-connections', 50);
const UNPROTECTED_CONNECTIONS = numberArgument('unprotected-connections', 50);
const PRODUCT_CONNECTIONS = 4;
/** The burst starts this long before the Product stream is timed, and runs until it ends. */
const BURST_LEAD_MS = 1_000;

const shoppers = Array.from({ length: 250 }, (_, index) => `198.51.100.${index + 1}`);
const attackers = Array.from({ length: 5 }, (_, index) => `203.0.113.${index + 1}`);
/** The same burst from many addresses, as a botnet sends it: each address has a budget of its own. */
const manyAttackers = Array.from({ length: 1_000 }, (_, index) => `10.${Math.floor(index / 250)}.${index % 250}.1`);

/**
 * What the protected gateway must answer each kind with; anything else is a wrong answer.
 * Refusals spend from the caller's budget too, so any kind may meet RATE_LIMITED once its
 * address has spent its budget for the window.
 */
const expectedWithProtections: Record<HostileKind, string[]> = {
  deep: ['MAX_DEPTH_LIMIT', 'RATE_LIMITED'],
  'list-amplified': ['COST_ESTIMATED_TOO_EXPENSIVE', 'RATE_LIMITED'],
  aliases: ['MAX_ALIASES_LIMIT', 'MAX_TOKENS_LIMIT', 'RATE_LIMITED'],
  'me-aliases': ['MAX_TOKENS_LIMIT', 'RATE_LIMITED'],
  'nested-500': ['MAX_TOKENS_LIMIT', 'RATE_LIMITED'],
  'under-limits': ['admitted', 'RATE_LIMITED'],
};

/** This gateway with its protections off: no cost analysis, limits beyond anything the burst sends. */
const protectionsOff = {
  COST_MODE: 'off',
  OPERATION_MAX_DEPTH: '1000',
  OPERATION_MAX_ALIASES: '10000',
  OPERATION_MAX_ROOT_FIELDS: '10000',
  OPERATION_MAX_DIRECTIVES: '10000',
  OPERATION_MAX_TOKENS: '1000000',
  OPERATION_MAX_VARIABLES_BYTES: '1048576',
};

interface PhaseResult {
  gateway: string;
  phase: string;
  product?: LoadResult;
  burst?: LoadResult;
  usage: Map<string, Usage>;
  error?: string;
  /** Another load (a jest run, or processes this run did not start) overlapped even the last attempt. */
  disturbed?: boolean;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await waitForQuiet();
await runBench('bench:hostile', 12, async () => {
  console.log('Starting PostgreSQL databases, the catalog (20 categories, 500 products) and three subgraph processes...');
  const cluster = await startCluster();
  const productWorkload: ProductWorkload = { kind: 'product', query: contractOperation('frontend', 'Product'), catalog: cluster.catalog, clientAddresses: shoppers };
  const servers = (gateway: ServerProcess) => [cluster.subgraphs.catalog, cluster.subgraphs.users, cluster.subgraphs.orders, gateway];
  // Read again at every sample: a wedged subgraph may be replaced by a new process.
  const watched = (gateway: ServerProcess) => [
    ...(['catalog', 'users', 'orders'] as const).map((name) => ({ name, pids: () => [cluster.subgraphs[name].pid] })),
    { name: 'gateway', pids: () => [gateway.pid] },
    { name: 'postgres', pids: postgresPids },
    { name: 'load generators', pids: loadGeneratorPids },
  ];

  /** The Product stream for `seconds`, alone or while the burst runs from another load generator. */
  async function phase(...args: Parameters<typeof measurePhase>): Promise<PhaseResult> {
    const { result, disturbed } = await measureQuietly(`${args[1]}, ${args[2]}`, () => measurePhase(...args));
    return { ...result, disturbed };
  }

  async function measurePhase(
    gateway: ServerProcess,
    gatewayLabel: string,
    label: string,
    seconds: number,
    burst?: { connections: number; expected?: Record<HostileKind, string[]>; kinds?: HostileKind[]; addresses?: string[] },
  ): Promise<PhaseResult> {
    const sampler = sampleUsage(watched(gateway));
    const result: PhaseResult = { gateway: gatewayLabel, phase: label, usage: new Map() };
    const burstLoad = burst
      ? startLoad({
          label: `burst on ${gatewayLabel}`,
          url: gateway.url,
          connections: burst.connections,
          seconds: seconds + 60,
          untilStopped: true,
          workload: { kind: 'hostile', catalog: cluster.catalog, attackerAddresses: burst.addresses ?? attackers, expected: burst.expected, kinds: burst.kinds },
          seed: 7,
        })
      : undefined;
    try {
      if (burstLoad) {
        await burstLoad.started;
        await sleep(BURST_LEAD_MS);
      }
      result.product = await runLoad({ label: `Product ${label} on ${gatewayLabel}`, url: gateway.url, connections: PRODUCT_CONNECTIONS, seconds, workload: productWorkload, seed: 1 });
    } catch (error) {
      result.error = (error as Error).message.split('\n')[0];
    } finally {
      burstLoad?.stop();
      if (burstLoad) result.burst = await burstLoad.result.catch((error: Error) => ((result.error ??= error.message.split('\n')[0]), undefined));
      result.usage = sampler.stop();
    }
    const product = result.product;
    console.log(
      `${gatewayLabel.padEnd(16)} ${label.padEnd(34)} Product ${product ? `${fixed(product.rps, 0).padStart(5)} req/s p50 ${fixed(product.p50)} ms p99 ${fixed(product.p99)} ms, ${product.wrong} wrong, ${product.unanswered} unanswered` : `failed: ${result.error}`}` +
        (result.burst ? `; burst ${fixed(result.burst.rps, 0)} req/s, ${result.burst.wrong} wrong` : ''),
    );
    return result;
  }

  /** Seconds until every subgraph answers /health and a Product read is right again (null: not within 30 s). */
  async function recovery(gateway: ServerProcess): Promise<number | null> {
    const started = Date.now();
    const product = cluster.catalog.products[0]!;
    while (Date.now() - started < 30_000) {
      const healthy = (await Promise.all(Object.values(cluster.subgraphs).map((subgraph) => isHealthy(subgraph, 2_000)))).every(Boolean);
      const read = healthy
        ? await fetch(gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: productWorkload.query, variables: { id: product.id } }),
            signal: AbortSignal.timeout(2_000),
          }).then(
            async (response) => ((await response.json()) as { data?: { product?: { id: string } } }).data?.product?.id === product.id,
            () => false,
          )
        : false;
      if (read) return (Date.now() - started) / 1000;
      await sleep(250);
    }
    return null;
  }

  // The documents of the burst: one of each kind, as the protected gateway answers an admin asking for its cost.
  console.log('Starting the gateway with its protections (production defaults, response cache off)...');
  const protectedGateway = await cluster.startGateway('protected', { RESPONSE_CACHE: 'false' });
  const admin = await signIn(protectedGateway.url, cluster.admin);
  const samples = hostileDocuments(cluster.catalog, seededRandom(3));
  const documentRows: string[] = [];
  for (const kind of hostileKinds) {
    const document = samples[kind][0]!;
    const response = await fetch(protectedGateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cost-report': '1', ...admin }, body: JSON.stringify({ query: document.query }) });
    const answer = (await response.json()) as { errors?: Array<{ extensions?: { code?: string; cost?: { estimated?: number } } }> };
    const estimated = response.headers.get('x-cost-estimated') ?? answer.errors?.[0]?.extensions?.cost?.estimated;
    const code = answer.errors?.[0]?.extensions?.code ?? 'admitted';
    documentRows.push(`| ${kind} | ${Buffer.byteLength(document.query).toLocaleString('en-US')} | ${estimated === undefined ? '(not estimated: refused before)' : Number(estimated).toLocaleString('en-US')} | ${response.status} ${code} | ${expectedWithProtections[kind].join(', ')} |`);
  }

  const phases: PhaseResult[] = [];
  const recoveries: string[] = [];
  await runLoad({ label: 'warm-up', url: protectedGateway.url, connections: PRODUCT_CONNECTIONS, seconds: 3, workload: productWorkload, seed: 99 });
  phases.push(await phase(protectedGateway, 'protections on', 'alone', SECONDS));
  phases.push(await phase(protectedGateway, 'protections on', 'during burst', SECONDS, { connections: BURST_CONNECTIONS, expected: expectedWithProtections }));
  // Where the slowdown comes from: the same burst without its admitted kind, then that kind alone.
  const refusedKinds = hostileKinds.filter((kind) => kind !== 'under-limits');
  phases.push(await phase(protectedGateway, 'protections on', 'during burst, refused kinds only', SECONDS, { connections: BURST_CONNECTIONS, expected: expectedWithProtections, kinds: refusedKinds }));
  phases.push(await phase(protectedGateway, 'protections on', 'during burst, under-limits only', SECONDS, { connections: BURST_CONNECTIONS, expected: expectedWithProtections, kinds: ['under-limits'] }));
  phases.push(await phase(protectedGateway, 'protections on', 'during burst from 1,000 addresses', SECONDS, { connections: BURST_CONNECTIONS, expected: expectedWithProtections, addresses: manyAttackers }));
  const protectedRecovery = await recovery(protectedGateway);
  recoveries.push(`protections on: a Product read was right again ${protectedRecovery === null ? 'NOT within 30 s' : `${fixed(protectedRecovery)} s`} after the burst ended.`);
  const protectedPeaks = servers(protectedGateway).map((server) => `${server.name} ${fixed(server.peakRssKiB() / 1024, 0)}`).join(', ');
  await protectedGateway.stop();

  console.log('Starting the same gateway with its protections off (COST_MODE=off, operation limits out of reach)...');
  const openGateway = await cluster.startGateway('unprotected', { RESPONSE_CACHE: 'false', ...protectionsOff });
  await runLoad({ label: 'warm-up', url: openGateway.url, connections: PRODUCT_CONNECTIONS, seconds: 3, workload: productWorkload, seed: 99 });
  phases.push(await phase(openGateway, 'protections off', 'alone', UNPROTECTED_SECONDS));
  phases.push(await phase(openGateway, 'protections off', 'during burst', UNPROTECTED_SECONDS, { connections: UNPROTECTED_CONNECTIONS }));
  const openRecovery = await recovery(openGateway);
  if (openRecovery === null) {
    recoveries.push('protections off: the subgraphs were still wedged 30 s after the burst ended; they were killed and started again.');
    await cluster.restartSubgraphs();
  } else {
    recoveries.push(`protections off: a Product read was right again ${fixed(openRecovery)} s after the burst ended.`);
  }
  const openPeaks = servers(openGateway).map((server) => `${server.name} ${fixed(server.peakRssKiB() / 1024, 0)}`).join(', ');
  await openGateway.stop();

  // Tables.
  const alone = (gateway: string) => phases.find((entry) => entry.gateway === gateway && entry.phase === 'alone')?.product;
  const mib = (usage: Map<string, Usage>, name: string) => fixed(usage.get(name)?.peakRssMiB ?? 0, 0);
  const cpu = (usage: Map<string, Usage>, name: string) => {
    const used = usage.get(name);
    return used ? fixed((100 * used.cpuSeconds) / used.seconds, 0) : '0';
  };
  const productRows = phases.map((entry) => {
    const base = alone(entry.gateway);
    const product = entry.product;
    const window = entry.gateway === 'protections on' ? SECONDS : UNPROTECTED_SECONDS;
    const ratio = (value: number, of: number | undefined) => (of ? `${fixed(value / of, 2)}×` : '–');
    const usage = `${cpu(entry.usage, 'gateway')} / ${cpu(entry.usage, 'catalog')} / ${cpu(entry.usage, 'postgres')} / ${cpu(entry.usage, 'load generators')} | ${mib(entry.usage, 'gateway')} / ${mib(entry.usage, 'catalog')} / ${mib(entry.usage, 'users')} / ${mib(entry.usage, 'orders')}`;
    const burst = entry.burst ? fixed(entry.burst.rps, 0) : '–';
    if (!product) return `| ${entry.gateway} | ${entry.phase} | ${window} s | failed: ${entry.error} | | | | | | | ${burst} | ${usage} |`;
    const answers = product.requests ? product.requests.toLocaleString('en-US') : `0 (${product.unanswered} sent, none answered)`;
    if (product.requests === 0) return `| ${entry.gateway} | ${entry.phase} | ${window} s | ${answers} | 0 | – | – | – | – | ${product.wrong} | ${burst} | ${usage} |`;
    return `| ${entry.gateway} | ${entry.phase}${entry.disturbed ? ' (another load overlapped it)' : ''} | ${window} s | ${answers} | ${fixed(product.rps, 0)} | ${fixed(product.p50)} | ${fixed(product.p99)} | ${ratio(product.p50, base?.p50)} | ${ratio(product.p99, base?.p99)} | ${product.wrong} | ${burst} | ${usage} |`;
  });
  const burstRows = phases
    .filter((entry) => entry.burst)
    .flatMap((entry) => {
      const burst = entry.burst!;
      return Object.entries(burst.outcomes).map(
        ([outcome, stats]) => `| ${entry.gateway}, ${entry.phase.replace('during burst', 'burst')} | ${outcome} | ${stats.count.toLocaleString('en-US')} | ${fixed((100 * stats.count) / burst.requests)} % | ${fixed(stats.p50)} | ${fixed(stats.p99)} |`,
      );
    });
  const burstSummaries = phases
    .filter((entry) => entry.burst)
    .map((entry) => {
      const burst = entry.burst!;
      const kinds = hostileKinds.map((kind) => `${kind} ${burst.kinds[kind] ?? 0}`).join(', ');
      const samplesText = burst.wrongSamples.length ? ` (e.g. ${burst.wrongSamples.slice(0, 2).join('; ')})` : '';
      return `- ${entry.gateway}, ${entry.phase.replace('during burst', 'burst')}: ${burst.requests.toLocaleString('en-US')} answers in ${fixed(burst.seconds)} s (${fixed(burst.rps, 0)}/s) over ${entry.gateway === 'protections on' ? BURST_CONNECTIONS : UNPROTECTED_CONNECTIONS} connections; by kind: ${kinds}; ${burst.wrong} wrong answers${samplesText}; ${burst.timeouts} timeouts, ${burst.connectionErrors} connection errors, ${burst.unanswered} unanswered at the end.`;
    });
  const productWrong = phases.flatMap((entry) => entry.product?.wrongSamples ?? []);
  const during = phases.find((entry) => entry.gateway === 'protections on' && entry.phase === 'during burst')?.product;
  const base = alone('protections on');
  const verdict =
    during && base
      ? `Protections on: Product p50 during the burst is ${fixed(during.p50 / base.p50, 2)}× alone (goal: within 2×) — ${during.p50 / base.p50 <= 2 ? 'met' : 'NOT met'}; p99 ${fixed(during.p99 / base.p99, 2)}×.`
      : 'Protections on: the Product stream did not complete.';
  const section = [
    `Machine: ${machineLine()}; ${sourceLine()}. Subgraphs, gateway, PostgreSQL, Redis and both load generators share the cores.`,
    `Product stream: \`Product\` (contract/frontend.graphql) for a random one of 500 products, anonymous, each request from one of 250 X-Forwarded-For addresses, ${PRODUCT_CONNECTIONS} connections, **response cache off** (every read reaches the catalog). Burst: anonymous, ${BURST_CONNECTIONS} connections (${UNPROTECTED_CONNECTIONS} against protections off), from 5 addresses (one row: 1,000), the six kinds below in equal shares; it starts ${BURST_LEAD_MS / 1000} s before the Product stream is timed and ends with it. Protections off: the same gateway with \`COST_MODE=off\` and \`OPERATION_MAX_*\` out of reach (depth 1000, 1M tokens); the subgraphs keep their own limits (\`SUBGRAPH_MAX_DEPTH=15\`, \`SUBGRAPH_MAX_ROWS_PER_REQUEST=50000\`). CPU and memory: /proc, every 100 ms, from the start of a row's load generators to their end (the window plus about 3 s); \`postgres\` is every PostgreSQL process, \`load generators\` both the Product stream's and the burst's.`,
    '',
    '| gateway | Product stream | window | answers | req/s | p50 ms | p99 ms | p50 vs alone | p99 vs alone | wrong answers | burst answers/s | CPU, % of one core: gateway / catalog / postgres / load generators | peak RSS MiB: gateway / catalog / users / orders |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...productRows,
    '',
    verdict,
    '',
    'The burst, by answer (status and error code; latency as the attacker sees it):',
    '',
    '| gateway, burst | answer | requests | share | p50 ms | p99 ms |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...burstRows,
    '',
    ...burstSummaries,
    `- Product stream wrong answers: ${productWrong.length ? productWrong.join('; ') : 'none'}.`,
    ...recoveries.map((line) => `- ${line}`),
    `- Lifetime peak RSS (VmHWM, MiB) after protections on: ${protectedPeaks}; after protections off: ${openPeaks}.`,
    '',
    'The documents (one sample of each kind; an admin\'s cost report on the protected gateway):',
    '',
    '| kind | bytes | estimated cost | protected gateway answers | expected |',
    '| --- | ---: | ---: | --- | --- |',
    ...documentRows,
  ].join('\n');
  console.log(`\n${section}`);
  await writeReadmeSection(
    'hostile',
    '## Hostile operations (`npm run bench:hostile`)',
    'How to read it: see the paragraph above the table.',
    section,
  );
  console.log('\nWrote bench/README.md');
});
