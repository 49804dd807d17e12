// npm run bench — what users get, measured as they get it: every subgraph, every gateway and
// the load generator in processes of their own on real PostgreSQL and Redis (bench/processes.ts),
// five workloads whose requests differ as real traffic does, every answer checked. Gateways:
// ours with the response cache off and on, plain Apollo Gateway and Hive Gateway (each a
// process: bench/peer-gateways.ts), and ours, cache off, on the subgraphs of a baseline commit.
// References in the same run: a bare node:http server sending a cached answer's bytes, each
// subgraph queried directly with the requests the gateway sent it (captured), today's and the
// baseline's, and the SQL those requests issued run alone with `pg`. Interleaved rounds,
// medians and their spread; writes its tables to bench/README.md.
//   npm run bench -- --seconds=5 --rounds=3 --connections=32 --baseline=eaca830
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { subgraphNames, type SubgraphName } from '@shop/config';
import { numberArgument, stringArgument } from './arguments.js';
import { prepareBaseline, sameServiceCode } from './baseline.js';
import {
  highBudgets,
  loadGeneratorPids,
  machineLine,
  postgresPids,
  runBench,
  sampleUsage,
  sourceLine,
  startCluster,
  startLoad,
  writeReadmeSection,
  type Cluster,
  type ServerProcess,
  type Watched,
} from './processes.js';
import { jwtPayload, realTrafficWorkloads, SHOPPERS, type BenchWorkload } from './real-traffic.js';
import { judge, requestFactory, send } from './requests.js';
import { DEFAULT_POSTGRES_LOG, logStatements, statementLog } from './sql-capture.js';
import { seededRandom, type CapturedRequest, type CapturedStatement, type LoadResult, type LoadSpec, type Workload } from './workloads.js';

const SECONDS = numberArgument('seconds', 5);
const ROUNDS = numberArgument('rounds', 3);
const CONNECTIONS = numberArgument('connections', 32);
const BASELINE = stringArgument('baseline') ?? 'eaca830';
const POSTGRES_LOG = stringArgument('postgres-log') ?? DEFAULT_POSTGRES_LOG;
/** The SQL alone runs on as many connections as a subgraph's pool might use under load. */
const SQL_CONNECTIONS = 10;
/** Untimed requests before each gateway's first cell of a workload (8 at a time), every answer checked. */
const FIRST_ROUND_WARM_REQUESTS = 1_000;
/** Gateway requests captured per workload (sequentially, to tell each one's SQL apart). */
const CAPTURE_REQUESTS = 40;

const gatewayNames = ['Apollo Gateway', 'Hive Gateway', 'ours, cache off', 'ours, cache on', 'ours, cache off, baseline subgraphs'] as const;
type GatewayName = (typeof gatewayNames)[number];
type Version = 'new' | 'baseline';

interface Measured {
  result: LoadResult;
  /** CPU ms per answered request, by watched group. */
  cpuMs: Record<string, number>;
  gatewayPeakMiB: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length ? (sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2) : NaN;
};
const integer = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const decimal = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const ratio = (value: number, reference: number) => (Number.isFinite(value / reference) && reference > 0 ? `${(value / reference).toFixed(2)}×` : '–');
/** Median of the rounds and, over more than one, their range. */
const spread = (values: number[], format = integer) => (values.length > 1 ? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})` : format(median(values)));

/**
 * Proxies in front of a subgraph set that record every request our gateway sends them (the
 * body, the viewer its token names) and the data answered, while passing both through.
 */
async function startRecordingProxies(urls: Record<SubgraphName, string>) {
  const recorded: Array<{ audience: SubgraphName; request: CapturedRequest }> = [];
  const readBody = (message: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      message.on('data', (chunk: Buffer) => chunks.push(chunk));
      message.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      message.on('error', reject);
    });
  const servers = await Promise.all(
    subgraphNames.map(
      (audience) =>
        new Promise<[SubgraphName, { url: string; close(): void }]>((resolve) => {
          const server = createServer((request, response) => {
            void (async () => {
              const body = await readBody(request);
              const headers = Object.fromEntries(Object.entries(request.headers).filter(([name, value]) => typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
              // Service calls (the gateway's credential check) pass through unrecorded, to their own paths.
              const target = new URL(request.url ?? '/', urls[audience]);
              const answer = await fetch(target, { method: request.method, headers, body: request.method === 'GET' ? undefined : body });
              const text = await answer.text();
              const graphql = target.pathname === new URL(urls[audience]).pathname;
              const parsed = graphql ? (JSON.parse(text) as { data?: unknown; errors?: unknown }) : {};
              const token = headers['x-gateway-token'];
              if (graphql && token && parsed.data && !parsed.errors) recorded.push({ audience, request: { body, viewer: jwtPayload(token).viewer, data: JSON.stringify(parsed.data) } });
              response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
              response.end(text);
            })().catch((error: unknown) => {
              response.writeHead(502);
              response.end(String(error));
            });
          });
          server.listen(0, '127.0.0.1', () => resolve([audience, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, close: () => server.close() }]));
        }),
    ),
  );
  const proxies = Object.fromEntries(servers) as Record<SubgraphName, { url: string; close(): void }>;
  return {
    urls: Object.fromEntries(subgraphNames.map((name) => [name, proxies[name].url])) as Record<SubgraphName, string>,
    /** What was recorded since the last call. */
    take: () => recorded.splice(0, recorded.length),
    close: () => subgraphNames.forEach((name) => proxies[name].close()),
  };
}

/** Per workload and subgraph: the requests the gateway sent it, and the SQL each gateway request issued to its database. */
interface Capture {
  requests: Map<string, Map<SubgraphName, CapturedRequest[]>>;
  sql: Map<string, Map<SubgraphName, CapturedStatement[][]>>;
  wrong: number;
}

/**
 * Sends CAPTURE_REQUESTS requests of each workload, one at a time, through a gateway of ours
 * (cache off) whose subgraphs sit behind recording proxies, with PostgreSQL logging the
 * statements of these databases: what each subgraph is asked, and the SQL it issues.
 */
async function capture(cluster: Cluster, workloads: BenchWorkload[], version: Version, root: string | undefined): Promise<Capture> {
  const databaseOf = Object.fromEntries(subgraphNames.map((name) => [new URL(cluster.databaseUrls[name]).pathname.slice(1), name])) as Record<string, SubgraphName>;
  const set = await cluster.startSubgraphSet(`capture, ${version}`, {}, root);
  const proxies = await startRecordingProxies(set.urls);
  const gateway = await cluster.startGateway(`capture-${version}`, { RESPONSE_CACHE: 'false', ...highBudgets, USERS_URL: proxies.urls.users, CATALOG_URL: proxies.urls.catalog, ORDERS_URL: proxies.urls.orders });
  const log = statementLog(POSTGRES_LOG);
  const result: Capture = { requests: new Map(), sql: new Map(), wrong: 0 };
  try {
    // Statements issued with no request going on (pollers, relays): not any request's SQL.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const background = new Set([...log.take().values()].flat().map((statement) => statement.text));
    for (const workload of workloads) {
      const next = await requestFactory(workload.build('ours') as Exclude<Workload, { kind: 'sql' }>, gateway.url, seededRandom(7));
      const requests = new Map<SubgraphName, CapturedRequest[]>();
      const sql = new Map<SubgraphName, CapturedStatement[][]>();
      for (let index = 0; index < CAPTURE_REQUESTS; index++) {
        log.skip();
        proxies.take();
        const built = next();
        const sent = await send(gateway.url, built);
        const verdict = judge(built, sent.status, sent.text);
        if (!verdict.right) {
          result.wrong += 1;
          console.log(`capture (${version}) ${workload.name}: wrong answer: ${verdict.why}`);
        }
        // The server writes its log as statements run; a moment lets the last lines land.
        await new Promise((resolve) => setTimeout(resolve, 30));
        const statements = log.take();
        const touched = new Set<SubgraphName>();
        for (const { audience, request } of proxies.take()) {
          touched.add(audience);
          if (!requests.has(audience)) requests.set(audience, []);
          requests.get(audience)!.push(request);
        }
        for (const [database, list] of statements) {
          const audience = databaseOf[database];
          if (!audience || !touched.has(audience)) continue;
          if (!sql.has(audience)) sql.set(audience, []);
          sql.get(audience)!.push(list.filter((statement) => !background.has(statement.text)));
        }
      }
      result.requests.set(workload.name, requests);
      result.sql.set(workload.name, sql);
    }
  } finally {
    proxies.close();
    await gateway.stop();
    await Promise.all(subgraphNames.map((name) => set.subgraphs[name].stop()));
  }
  return result;
}

/** One load in its own process, with the CPU and memory of the watched processes while it was timed. */
async function measure(spec: LoadSpec, watched: Watched[]): Promise<Measured> {
  const load = startLoad(spec);
  await load.started;
  const usage = sampleUsage(watched);
  const result = await load.result;
  const used = usage.stop();
  const cpuMs = Object.fromEntries([...used].map(([name, usage]) => [name, (1000 * usage.cpuSeconds) / Math.max(result.requests, 1)]));
  return { result, cpuMs, gatewayPeakMiB: used.get('gateway')?.peakRssMiB ?? 0 };
}

const processGroup = (name: string, server: ServerProcess): Watched => ({ name, pids: () => [server.pid] });

await runBench('bench', 40, async () => {
  const startedAt = Date.now();
  console.log(`Preparing the baseline's code (${BASELINE})...`);
  const baseline = prepareBaseline(BASELINE);
  console.log(`Starting PostgreSQL databases: 500 products in 20 categories, ${SHOPPERS} shoppers with carts and orders; three subgraph processes...`);
  const cluster = await startCluster({ shoppers: SHOPPERS });
  const adminUrl = new URL(cluster.databaseUrls.users);
  adminUrl.pathname = '/postgres';
  const databaseNames = subgraphNames.map((name) => new URL(cluster.databaseUrls[name]).pathname.slice(1));
  // The server is shared with whatever else runs here: only the backends serving this run's databases count.
  const ourBackends = () => postgresPids(databaseNames);

  const workloads = await realTrafficWorkloads(cluster);

  // What each subgraph is asked and the SQL it issues, today's code and the baseline's, with statement logging on for new sessions only.
  const captures: Record<Version, Capture> = {} as Record<Version, Capture>;
  await logStatements(adminUrl.toString(), databaseNames, true);
  try {
    for (const [version, root] of [['new', undefined], ['baseline', baseline.root]] as const) {
      console.log(`Capturing the subgraph requests and SQL of ${CAPTURE_REQUESTS} requests per workload (${version} subgraphs)...`);
      captures[version] = await capture(cluster, workloads, version, root);
    }
  } finally {
    await logStatements(adminUrl.toString(), databaseNames, false);
  }

  console.log('Starting the gateways, the baseline subgraphs and the bare server...');
  const baselineSet = await cluster.startSubgraphSet(`baseline ${baseline.commit}`, {}, baseline.root);
  const gateways: Record<GatewayName, ServerProcess> = {
    'Apollo Gateway': await cluster.startPeer('Apollo Gateway', { peer: 'apollo' }),
    'Hive Gateway': await cluster.startPeer('Hive Gateway', { peer: 'hive' }),
    'ours, cache off': await cluster.startGateway('ours-cache-off', { RESPONSE_CACHE: 'false', ...highBudgets }),
    'ours, cache on': await cluster.startGateway('ours-cache-on', { RESPONSE_CACHE: 'true', ...highBudgets }),
    'ours, cache off, baseline subgraphs': await cluster.startGateway('ours-baseline', {
      RESPONSE_CACHE: 'false',
      ...highBudgets,
      USERS_URL: baselineSet.urls.users,
      CATALOG_URL: baselineSet.urls.catalog,
      ORDERS_URL: baselineSet.urls.orders,
    }),
  };
  const subgraphsOf: Record<Version, Record<SubgraphName, ServerProcess>> = { new: cluster.subgraphs, baseline: baselineSet.subgraphs };
  const subgraphUrlsOf: Record<Version, Record<SubgraphName, string>> = { new: cluster.subgraphUrls, baseline: baselineSet.urls };

  // The cached answer's bytes, for the bare server to send.
  const identical = workloads.find((workload) => workload.identical)!;
  const identicalRequest = (await requestFactory(identical.build('ours') as Exclude<Workload, { kind: 'sql' }>, gateways['ours, cache on'].url, seededRandom(1)))();
  await send(gateways['ours, cache on'].url, identicalRequest);
  const cachedAnswer = await send(gateways['ours, cache on'].url, identicalRequest);
  const bodyFile = path.join(mkdtempSync(path.join(tmpdir(), 'shop-bench-')), 'answer.json');
  writeFileSync(bodyFile, cachedAnswer.text);
  const bare = await cluster.startPeer('bare node:http', { peer: 'bare', bodyFile });

  const cells = new Map<string, Measured[]>();
  const record = (key: string, measured: Measured) => {
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key)!.push(measured);
    const { result } = measured;
    const cpu = Object.entries(measured.cpuMs)
      .filter(([name]) => name !== 'load generator')
      .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
      .join(', ');
    console.log(
      `${key.padEnd(100)} ${integer(result.rps).padStart(7)} req/s  p50 ${decimal(result.p50, 1).padStart(6)}  p99 ${decimal(result.p99, 1).padStart(6)} ms  CPU ms/req: ${cpu}${result.wrong ? `  ${result.wrong} WRONG: ${result.wrongSamples[0]}` : ''}`,
    );
  };
  const gatewayWatch = (gateway: ServerProcess, version: Version): Watched[] => [
    processGroup('gateway', gateway),
    ...subgraphNames.map((name) => processGroup(name, subgraphsOf[version][name])),
    { name: 'PostgreSQL', pids: ourBackends },
    { name: 'load generator', pids: loadGeneratorPids },
  ];
  const spec = (label: string, url: string, workload: Workload, seed: number, warm: LoadSpec['warm'] = 50, connections = CONNECTIONS): LoadSpec => ({
    label,
    url,
    connections,
    seconds: SECONDS,
    workload,
    warm,
    seed,
  });
  const replayKey = (workload: string, subgraph: SubgraphName, version: Version) => `${workload} | ${subgraph} direct, ${version}`;
  const sqlKey = (workload: string, subgraph: SubgraphName) => `${workload} | ${subgraph} SQL alone`;

  const loadBefore = loadavg()[0]!;
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\nRound ${round} of ${ROUNDS}: ${CONNECTIONS} connections, ${SECONDS} s per cell`);
    for (const [index, workload] of workloads.entries()) {
      // Each round starts each workload at another gateway: none always runs first or last.
      const order = gatewayNames.map((_, position) => gatewayNames[(position + round + index) % gatewayNames.length]!);
      for (const gatewayName of order) {
        const gateway = gateways[gatewayName];
        const ours = gatewayName.startsWith('ours');
        const version: Version = gatewayName.endsWith('baseline subgraphs') ? 'baseline' : 'new';
        const product = workload.build('ours').kind === 'product';
        // The cache's cell starts from a cache that has seen every product once (the first round fills it).
        // Every other cell of the first round warms longer: the first cell of a workload met subgraphs
        // and a database that had not run it yet, and measured their warming (a 40-70 % dearer
        // request in one run), not the gateway.
        const warm = round > 1 ? 50 : gatewayName === 'ours, cache on' && product ? 'every-product' : FIRST_ROUND_WARM_REQUESTS;
        record(`${workload.name} | ${gatewayName}`, await measure(spec(`${workload.name} ${gatewayName}`, gateway.url, workload.build(ours ? 'ours' : 'peer'), round, warm), gatewayWatch(gateway, version)));
      }
      if (index === 0) {
        record(`${workload.name} | bare node:http, the cached answer's bytes`, await measure(spec('bare', bare.url, workload.build('ours'), round), [processGroup('gateway', bare), { name: 'load generator', pids: loadGeneratorPids }]));
      }
      // Today's and the baseline's in turn, each round the other first.
      for (const version of round % 2 ? (['new', 'baseline'] as const) : (['baseline', 'new'] as const)) {
        for (const [subgraph, requests] of captures[version].requests.get(workload.name) ?? []) {
          const replay: Workload = { kind: 'replay', audience: subgraph, gatewayKeys: cluster.gatewayKeys, requests };
          const server = subgraphsOf[version][subgraph];
          record(replayKey(workload.name, subgraph, version), await measure(spec(`${subgraph} direct`, subgraphUrlsOf[version][subgraph], replay, round), [processGroup(subgraph, server), { name: 'PostgreSQL', pids: ourBackends }, { name: 'load generator', pids: loadGeneratorPids }]));
        }
      }
      for (const [subgraph, groups] of captures.new.sql.get(workload.name) ?? []) {
        const sql: Workload = { kind: 'sql', databaseUrl: cluster.databaseUrls[subgraph], groups };
        record(sqlKey(workload.name, subgraph), await measure(spec(`${subgraph} SQL`, cluster.databaseUrls[subgraph], sql, round, 20, SQL_CONNECTIONS), [{ name: 'PostgreSQL', pids: ourBackends }, { name: 'load generator', pids: loadGeneratorPids }]));
      }
    }
  }

  // Tables.
  const cellsOf = (key: string) => cells.get(key) ?? [];
  const rpsOf = (key: string) => cellsOf(key).map((cell) => cell.result.rps);
  const medianOf = (key: string, pick: (cell: Measured) => number) => median(cellsOf(key).map(pick));
  const wrongOf = (key: string) => cellsOf(key).reduce((sum, cell) => sum + cell.result.wrong + cell.result.warmWrong, 0);
  const subgraphCpu = (cell: Measured) => subgraphNames.reduce((sum, name) => sum + (cell.cpuMs[name] ?? 0), 0);

  const summaryRows = workloads.map((workload) => {
    const apollo = medianOf(`${workload.name} | Apollo Gateway`, (cell) => cell.result.rps);
    return `| ${workload.name} | ${gatewayNames
      .map((gateway) => {
        const rps = medianOf(`${workload.name} | ${gateway}`, (cell) => cell.result.rps);
        return gateway === 'Apollo Gateway' ? integer(rps) : `${integer(rps)} (${ratio(rps, apollo)})`;
      })
      .join(' | ')} |`;
  });
  // A round measures every gateway of a workload back to back, so a ratio within a round cancels
  // the machine's slower drifts (other work, warming) that the medians of each column keep.
  const perRoundRatios = (key: string, referenceKey: string) => {
    const reference = rpsOf(referenceKey);
    return rpsOf(key).map((rps, round) => rps / reference[round]!);
  };
  const ratioSpread = (ratios: number[]) => `${spread(ratios, (value) => value.toFixed(2))}×`;
  const pairedRows = workloads.map((workload) => {
    const ours = `${workload.name} | ours, cache off`;
    return `| ${workload.name} | ${ratioSpread(perRoundRatios(ours, `${workload.name} | Apollo Gateway`))} | ${ratioSpread(perRoundRatios(ours, `${workload.name} | Hive Gateway`))} |`;
  });
  const detailRows = workloads.flatMap((workload) => {
    const apolloKey = `${workload.name} | Apollo Gateway`;
    const apolloCpu = medianOf(apolloKey, (cell) => cell.cpuMs.gateway ?? NaN);
    const apolloRss = medianOf(apolloKey, (cell) => cell.gatewayPeakMiB);
    return gatewayNames.map((gateway) => {
      const key = `${workload.name} | ${gateway}`;
      const cpu = medianOf(key, (cell) => cell.cpuMs.gateway ?? NaN);
      const rss = medianOf(key, (cell) => cell.gatewayPeakMiB);
      const bySubgraph = subgraphNames.map((name) => decimal(medianOf(key, (cell) => cell.cpuMs[name] ?? NaN))).join(' / ');
      return `| ${workload.name} | ${gateway} | ${spread(rpsOf(key))} | ${decimal(medianOf(key, (cell) => cell.result.p50), 1)} | ${decimal(medianOf(key, (cell) => cell.result.p99), 1)} | ${decimal(cpu)} (${ratio(cpu, apolloCpu)}) | ${bySubgraph} | ${decimal(medianOf(key, subgraphCpu))} | ${decimal(medianOf(key, (cell) => cell.cpuMs.PostgreSQL ?? NaN))} | ${integer(rss)} (${ratio(rss, apolloRss)}) | ${wrongOf(key)} |`;
    });
  });
  const referenceRows = workloads.flatMap((workload) =>
    subgraphNames
      .filter((subgraph) => captures.new.requests.get(workload.name)?.has(subgraph))
      .map((subgraph) => {
        const perRequest = (version: Version) => (captures[version].requests.get(workload.name)?.get(subgraph)?.length ?? 0) / CAPTURE_REQUESTS;
        const statements = (version: Version) => {
          const groups = captures[version].sql.get(workload.name)?.get(subgraph) ?? [];
          return groups.length ? groups.reduce((sum, group) => sum + group.length, 0) / groups.length : NaN;
        };
        const fresh = replayKey(workload.name, subgraph, 'new');
        const old = replayKey(workload.name, subgraph, 'baseline');
        const freshRps = medianOf(fresh, (cell) => cell.result.rps);
        const oldRps = medianOf(old, (cell) => cell.result.rps);
        const sqlRps = medianOf(sqlKey(workload.name, subgraph), (cell) => cell.result.rps);
        // The SQL alone is counted per gateway request; a direct replay per subgraph request.
        const freshPerGatewayRequest = freshRps / perRequest('new');
        return `| ${workload.name} | ${subgraph} | ${decimal(perRequest('new'))} | ${spread(rpsOf(fresh))} | ${spread(rpsOf(old))} | ${ratio(freshRps, oldRps)} | ${decimal(medianOf(fresh, (cell) => cell.cpuMs[subgraph] ?? NaN))} / ${decimal(medianOf(old, (cell) => cell.cpuMs[subgraph] ?? NaN))} | ${decimal(medianOf(fresh, (cell) => cell.cpuMs.PostgreSQL ?? NaN))} | ${decimal(statements('new'), 1)} / ${decimal(statements('baseline'), 1)} | ${spread(rpsOf(sqlKey(workload.name, subgraph)))} | ${ratio(freshPerGatewayRequest, sqlRps)} | ${wrongOf(fresh) + wrongOf(old) + wrongOf(sqlKey(workload.name, subgraph))} |`;
      }),
  );
  const bareKey = `${identical.name} | bare node:http, the cached answer's bytes`;
  const hitKey = `${identical.name} | ours, cache on`;
  const bareRps = medianOf(bareKey, (cell) => cell.result.rps);
  const hitRps = medianOf(hitKey, (cell) => cell.result.rps);
  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
  const section = [
    `Machine: ${machineLine()}. Code: ${sourceLine()}; baseline subgraphs: commit ${baseline.commit}. Every subgraph, gateway and load generator a process of its own on the same cores; ${ROUNDS} interleaved round(s), ${SECONDS} s per cell, ${CONNECTIONS} connections (the SQL alone: ${SQL_CONNECTIONS}); medians, with the rounds' range in parentheses. The run took ${minutes} min.`,
    '',
    `**Requests per second through each gateway** (ratio to plain Apollo Gateway). Every gateway but the last runs on today's subgraphs; the last is ours with the cache off on the subgraphs of ${baseline.commit}.`,
    '',
    `| workload | ${gatewayNames.join(' | ')} |`,
    `| --- | ${gatewayNames.map(() => '---:').join(' | ')} |`,
    ...summaryRows,
    '',
    `**Ours with the cache off, round by round**: its rate over Apollo Gateway's and Hive Gateway's measured in the same round (median, with the rounds' range).`,
    '',
    '| workload | ours, cache off ÷ Apollo Gateway | ours, cache off ÷ Hive Gateway |',
    '| --- | ---: | ---: |',
    ...pairedRows,
    '',
    `**The cache-hit path against the floor**: \`${identical.name}\` through ours with the cache on: ${integer(hitRps)} req/s; a bare node:http server (its own process) sending the same ${cachedAnswer.text.length.toLocaleString('en-US')} bytes to the same load generator: ${ROUNDS > 1 ? spread(rpsOf(bareKey)) : integer(bareRps)} req/s; the cache reaches ${ratio(hitRps, bareRps)} of the bare server.`,
    '',
    `**Each gateway in detail**: latency at the load generator; CPU per request from /proc over the timed run (the gateway, each subgraph as users / catalog / orders and their sum, PostgreSQL: the backends serving this run's databases); the gateway's peak resident memory during the run (a ${SECONDS}-s cell of a process that sat idle while the others ran, so V8 had shrunk its heap: how far the heap grows in ${SECONDS} s at that gateway's rate, not where it settles under load; \`npm run bench:memory\` measures that, docs/adr/0052); bad answers (wrong data, errors, bad status) over all rounds, warm-up included.`,
    '',
    '| workload | gateway | req/s | p50 ms | p99 ms | gateway CPU ms/req (vs Apollo) | subgraph CPU ms/req users / catalog / orders | subgraphs total | PostgreSQL CPU ms/req | gateway peak RSS MiB (vs Apollo) | bad answers |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...detailRows,
    '',
    `**Each subgraph queried directly**: the requests our gateway sent it for ${CAPTURE_REQUESTS} requests of the workload (captured through recording proxies), replayed straight to today's subgraph and to the baseline's (${baseline.commit}), each with a fresh gateway token, every answer compared with the one captured. *SQL alone*: the statements those requests issued to the subgraph's database (PostgreSQL's statement log), each request's in order on one connection, on ${SQL_CONNECTIONS} connections, counted per gateway request; *direct ÷ SQL alone* puts today's direct rate in gateway requests (divided by the subgraph requests per gateway request) over it.`,
    '',
    '| workload | subgraph | subgraph requests per gateway request | direct req/s, today | direct req/s, baseline | today ÷ baseline | subgraph CPU ms/req today / baseline | PostgreSQL CPU ms/req (today) | SQL statements per gateway request today / baseline | SQL alone, gateway requests/s | today direct ÷ SQL alone | bad answers |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...referenceRows,
    '',
    ...(sameServiceCode(baseline.commit)
      ? ['', `Today's subgraphs and shared packages are the code of ${baseline.commit} in this run: *today ÷ baseline* shows only how much the measurement itself moves.`]
      : []),
    '',
    `Capture: ${captures.new.wrong + captures.baseline.wrong} bad answers. Load average (1 min) when the rounds began and ended: ${loadBefore.toFixed(1)} and ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores; the machine's other work shows in every number: compare ratios within one run, not across runs.`,
  ].join('\n');
  console.log(`\n${section}`);
  await writeReadmeSection(
    'throughput',
    '## What users get: gateways, subgraphs and their references (`npm run bench`)',
    'Written by `npm run bench` (bench/throughput.ts); docs/adr/0036-benchmark-of-real-traffic.md says how it measures.',
    section,
  );
  console.log('\nWrote bench/README.md');
});
