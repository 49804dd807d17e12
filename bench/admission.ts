// npm run bench:admission — what the operation limits and demand control cost a request
// that passes them. Two gateway processes side by side on the same subgraphs: COST_MODE=
// enforce (budgets raised so the load generator is never refused; every request still has
// its cost estimated and spent from its budget in Redis) and COST_MODE=off (the baseline;
// the structural limits stay on in both: Apollo validates each distinct document once and
// caches it). Cells alternate between them, round after round, for `Product` (a random id of
// 500) and `Products` (every request a different search, category, page, size and order),
// with the response cache off and on. The structural limits' once-per-document cost and the
// cost estimate's per-request cost are timed in this process. Writes bench/README.md.
//   npm run bench:admission -- --seconds=8 --rounds=4 --connections=32
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildSchema, Kind, parse, print, specifiedRules, validate, type DocumentNode, type ValidationRule } from 'graphql';
import { operationLimitsSchema, parseConfig } from '@shop/config';
import { costDirectivesFromSdl, createCostEstimator, limitedParseOptions, structuralLimitRules } from '@shop/graphql-kit';
import { contractFiles, contractOperation, readContract } from '@shop/testing';
import { numberArgument } from './arguments.js';
import { highBudgets, machineLine, measureQuietly, median, shoppers, sourceLine, runBench, runLoad, startCluster, waitForQuiet, writeReadmeSection, type ServerProcess } from './processes.js';
import { seededRandom, sorts, type LoadResult, type Workload } from './workloads.js';

const SECONDS = numberArgument('seconds', 8);
const ROUNDS = numberArgument('rounds', 4);
const CONNECTIONS = numberArgument('connections', 32);
const VALIDATION_PASSES = numberArgument('validation-passes', 300);

const fixed = (value: number, digits = 1) => value.toFixed(digits);

/** µs per document to validate every contract operation, with the specified rules alone and with the structural limits too. */
function timeValidation() {
  const apiSchema = buildSchema(readFileSync(new URL('../schema/api.graphql', import.meta.url), 'utf8'));
  const limits = parseConfig(operationLimitsSchema, {});
  const documents = contractFiles.flatMap((file) =>
    parse(readContract(file))
      .definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
      .map((definition) => ({ name: `${file} ${definition.name?.value}`, text: print(definition), document: parse(print(definition)) as DocumentNode })),
  );
  const variants: Array<{ name: string; rules: readonly ValidationRule[] }> = [
    { name: 'specified rules', rules: specifiedRules },
    { name: 'specified rules + structural limits', rules: [...specifiedRules, ...structuralLimitRules(limits)] },
  ];
  const totals = variants.map(() => new Map(documents.map((document) => [document.name, 0])));
  for (let pass = -20; pass < VALIDATION_PASSES; pass++) {
    // Alternate which goes first; the first 20 passes warm the JIT and are not counted.
    const order = pass % 2 ? [1, 0] : [0, 1];
    for (const index of order) {
      for (const document of documents) {
        const started = performance.now();
        const errors = validate(apiSchema, document.document, variants[index]!.rules);
        const elapsed = performance.now() - started;
        if (errors.length) throw new Error(`${document.name} does not validate: ${errors[0]!.message}`);
        if (pass >= 0) totals[index]!.set(document.name, totals[index]!.get(document.name)! + elapsed);
      }
    }
  }
  const perDocument = (index: number, name?: string) => {
    const map = totals[index]!;
    const sum = name ? map.get(name)! : [...map.values()].reduce((a, b) => a + b, 0);
    return (1000 * sum) / (VALIDATION_PASSES * (name ? 1 : documents.length));
  };
  // Parsing with the token bound against parsing without it (graphql-js counts tokens either way).
  const parseTimes = [0, 0];
  for (let pass = -20; pass < VALIDATION_PASSES; pass++) {
    for (const [index, options] of [[0, undefined], [1, limitedParseOptions(limits)]] as const) {
      const started = performance.now();
      for (const document of documents) parse(document.text, options);
      if (pass >= 0) parseTimes[index] = parseTimes[index]! + performance.now() - started;
    }
  }
  const parsePerDocument = parseTimes.map((total) => (1000 * total) / (VALIDATION_PASSES * documents.length));
  return {
    documents: documents.length,
    all: [perDocument(0), perDocument(1)],
    product: [perDocument(0, 'frontend Product'), perDocument(1, 'frontend Product')],
    products: [perDocument(0, 'frontend Products'), perDocument(1, 'frontend Products')],
    parse: parsePerDocument,
    apiSchema,
  };
}

/** µs per cost estimate of Product and Products with varying variables (compiled once per document), and the first, compiling call. */
function timeCostEstimate(apiSchema: ReturnType<typeof buildSchema>) {
  const directives = costDirectivesFromSdl(parse(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8')));
  const estimator = createCostEstimator(directives, { defaultListSize: 100 });
  const random = seededRandom(5);
  const result: Record<string, { firstUs: number; perCallUs: number; cost: number }> = {};
  for (const name of ['Product', 'Products'] as const) {
    const document = parse(contractOperation('frontend', name));
    const variables = () =>
      name === 'Product'
        ? { id: '00000000-0000-4000-8000-000000000000' }
        : { filter: { search: 'oak' }, page: 1 + Math.floor(random() * 5), limit: [10, 20, 50][Math.floor(random() * 3)], sort: sorts[Math.floor(random() * sorts.length)] };
    let started = performance.now();
    const cost = estimator.estimate(apiSchema, document, name, variables());
    const firstUs = 1000 * (performance.now() - started);
    const calls = 50_000;
    const inputs = Array.from({ length: calls }, variables);
    started = performance.now();
    for (const input of inputs) estimator.estimate(apiSchema, document, name, input);
    result[name] = { firstUs, perCallUs: (1000 * (performance.now() - started)) / calls, cost };
  }
  return result;
}

interface Cell {
  workload: 'Product' | 'Products';
  cache: 'off' | 'on';
  gateway: 'enforce' | 'off';
  round: number;
  result: LoadResult;
  disturbed: boolean;
}

await waitForQuiet();
await runBench('bench:admission', 45, async () => {
  console.log(`Timing validation of the contract documents, ${VALIDATION_PASSES} passes...`);
  const validation = timeValidation();
  const estimates = timeCostEstimate(validation.apiSchema);
  console.log(
    `validate(): ${fixed(validation.all[0]!)} µs per document with the specified rules, ${fixed(validation.all[1]!)} µs with the structural limits too (${validation.documents} contract documents)`,
  );

  console.log('Starting PostgreSQL databases, the catalog (20 categories, 500 products) and three subgraph processes...');
  const cluster = await startCluster();
  const workloads: Record<Cell['workload'], Workload> = {
    Product: { kind: 'product', query: contractOperation('frontend', 'Product'), catalog: cluster.catalog, clientAddresses: shoppers },
    Products: { kind: 'products', query: contractOperation('frontend', 'Products'), catalog: cluster.catalog, clientAddresses: shoppers },
  };
  const cells: Cell[] = [];
  for (const cache of ['off', 'on'] as const) {
    console.log(`Starting two gateways, response cache ${cache}: COST_MODE=enforce (budgets of 1e9) and COST_MODE=off...`);
    const responseCache = cache === 'on' ? 'true' : 'false';
    const gateways: Record<Cell['gateway'], ServerProcess> = {
      enforce: await cluster.startGateway(`enforce-cache-${cache}`, { RESPONSE_CACHE: responseCache, COST_MODE: 'enforce', ...highBudgets }),
      off: await cluster.startGateway(`off-cache-${cache}`, { RESPONSE_CACHE: responseCache, COST_MODE: 'off' }),
    };
    for (const workload of ['Product', 'Products'] as const) {
      for (const gateway of ['enforce', 'off'] as const) {
        // Not measured: connections, JIT, query plans.
        await runLoad({ label: `warm-up ${workload} ${gateway}`, url: gateways[gateway].url, connections: CONNECTIONS, seconds: 2, workload: workloads[workload], seed: 99 });
      }
      // enforce, off, enforce, off, ..., enforce: every off cell has an enforce cell on each side.
      for (let round = 1; round <= ROUNDS + 1; round++) {
        for (const gateway of round <= ROUNDS ? (['enforce', 'off'] as const) : (['enforce'] as const)) {
          const label = `${workload}, cache ${cache}, ${gateway}, round ${round}`;
          const { result, disturbed } = await measureQuietly(label, () =>
            runLoad({
              label,
              url: gateways[gateway].url,
              connections: CONNECTIONS,
              seconds: SECONDS,
              workload: workloads[workload],
              // A warm cache for Product: every id once; both gateways see the same requests in a round.
              warm: cache === 'on' && workload === 'Product' ? 'every-product' : 50,
              seed: 1_000 * round + (workload === 'Product' ? 1 : 2),
            }),
          );
          cells.push({ workload, cache, gateway, round, result, disturbed });
          const hits = result.cache.HIT ?? 0;
          console.log(
            `${label.padEnd(38)} ${fixed(result.rps, 0).padStart(6)} req/s  p50 ${fixed(result.p50).padStart(6)} ms  p99 ${fixed(result.p99).padStart(6)} ms  hits ${fixed((100 * hits) / Math.max(1, result.requests), 0)} %  ${result.wrong} wrong${disturbed ? '  (jest ran meanwhile)' : ''}`,
          );
        }
      }
    }
    await Promise.all([gateways.enforce.stop(), gateways.off.stop()]);
  }

  const rows: string[] = [];
  const ratioRows: string[] = [];
  const overheads: string[] = [];
  for (const workload of ['Product', 'Products'] as const) {
    for (const cache of ['off', 'on'] as const) {
      const of = (gateway: Cell['gateway']) => cells.filter((cell) => cell.workload === workload && cell.cache === cache && cell.gateway === gateway);
      for (const gateway of ['enforce', 'off'] as const) {
        const mine = of(gateway);
        const perRound = mine.map((cell) => `${fixed(cell.result.rps, 0)} (${fixed(cell.result.p50)} / ${fixed(cell.result.p99)})${cell.disturbed ? '*' : ''}`).join(', ');
        const requests = mine.reduce((sum, cell) => sum + cell.result.requests, 0);
        const hits = mine.reduce((sum, cell) => sum + (cell.result.cache.HIT ?? 0), 0);
        const wrong = mine.reduce((sum, cell) => sum + cell.result.wrong + cell.result.warmWrong, 0);
        rows.push(
          `| ${workload} | ${cache} | ${gateway === 'enforce' ? 'COST_MODE=enforce' : 'COST_MODE=off'} | ${perRound} | ${fixed(median(mine.map((cell) => cell.result.rps)), 0)} | ${fixed(median(mine.map((cell) => cell.result.p50)))} | ${fixed(median(mine.map((cell) => cell.result.p99)))} | ${fixed((100 * hits) / Math.max(1, requests), 1)} % | ${wrong} |`,
        );
      }
      const enforce = of('enforce');
      const off = of('off');
      // Each off cell against the mean of the enforce cells just before and after it: a steady
      // drift over the run (warming caches, a neighbour's load) cancels out.
      const around = (index: number, value: (cell: Cell) => number) => (value(enforce[index]!) + value(enforce[index + 1]!)) / 2;
      const ratios = (value: (cell: Cell) => number) => off.map((cell, index) => around(index, value) / value(cell));
      const rpsRatios = ratios((cell) => cell.result.rps);
      const p50Ratios = ratios((cell) => cell.result.p50);
      const p99Ratios = ratios((cell) => cell.result.p99);
      const ratio = median(rpsRatios);
      ratioRows.push(
        `| ${workload} | ${cache} | **${fixed(ratio, 3)}** | ${rpsRatios.map((value) => fixed(value, 3)).join(', ')} | ${fixed(median(p50Ratios), 2)} | ${fixed(median(p99Ratios), 2)} | ${fixed(100 * (1 - ratio), 1)} % |`,
      );
      if (1 - ratio > 0.05) overheads.push(`${workload} with the cache ${cache}: ${fixed(100 * (1 - ratio), 1)} % fewer requests per second`);
    }
  }
  const disturbedNote = cells.some((cell) => cell.disturbed) ? ' Cells marked * overlapped another load (a jest run, or processes this run did not start) even after measuring again three times.' : '';
  const allWrong = cells.reduce((sum, cell) => sum + cell.result.wrong + cell.result.warmWrong, 0);
  const wrongSamples = cells.flatMap((cell) => cell.result.wrongSamples).slice(0, 3);
  const section = [
    `Machine: ${machineLine()}; ${sourceLine()}. Subgraphs, both gateways, PostgreSQL, Redis and the load generator share the cores.`,
    `Each cell: ${CONNECTIONS} connections for ${SECONDS} s, anonymous shoppers from 250 X-Forwarded-For addresses. Cells alternate enforce, off, enforce, off, ..., enforce: ${ROUNDS} rounds of both, then one more enforce cell; a round sends both gateways the same sequence of requests. \`Product\`: a random id of 500. \`Products\`: a search term (60 %), a category (30 %), a price range (50 %), page 1–5, limit 10/20/50, one of 6 orders, each request built anew. With the cache on, Product is warmed with every id before each cell; Products is not (its hits are requests an earlier cell of that gateway already made: answers live 60 s).`,
    '',
    '| workload | response cache | gateway | req/s per round (p50 / p99 ms) | median req/s | median p50 ms | median p99 ms | cache hits | wrong answers |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'enforce / off: each off cell against the mean of the enforce cells just before and after it, median over the rounds:',
    '',
    '| workload | response cache | req/s ratio | per round | p50 ratio | p99 ratio | throughput cost |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: |',
    ...ratioRows,
    '',
    overheads.length ? `Above 5 %: ${overheads.join('; ')}.` : 'Every throughput cost is within 5 %.',
    `Wrong answers over all cells (every answer checked against the seeded catalog: ids in order, totals, prices, categories): ${allWrong}${wrongSamples.length ? ` (e.g. ${wrongSamples.join('; ')})` : ''}.${disturbedNote}`,
    '',
    `In this process (the same Node, no I/O), over ${VALIDATION_PASSES} passes of the ${validation.documents} contract documents:`,
    '',
    '| step | when it runs | specified rules only | with the structural limits | difference |',
    '| --- | --- | ---: | ---: | ---: |',
    `| validate(), mean of all contract documents | once per distinct document (Apollo caches it) | ${fixed(validation.all[0]!)} µs | ${fixed(validation.all[1]!)} µs | +${fixed(validation.all[1]! - validation.all[0]!)} µs |`,
    `| validate(), Product | once per distinct document | ${fixed(validation.product[0]!)} µs | ${fixed(validation.product[1]!)} µs | +${fixed(validation.product[1]! - validation.product[0]!)} µs |`,
    `| validate(), Products | once per distinct document | ${fixed(validation.products[0]!)} µs | ${fixed(validation.products[1]!)} µs | +${fixed(validation.products[1]! - validation.products[0]!)} µs |`,
    `| parse(), mean (without / with the token bound) | once per distinct document | ${fixed(validation.parse[0]!)} µs | ${fixed(validation.parse[1]!)} µs | ${validation.parse[1]! >= validation.parse[0]! ? '+' : ''}${fixed(validation.parse[1]! - validation.parse[0]!)} µs |`,
    '',
    `Cost estimate (per request, with that request's variables; the document's analysis is compiled on first use): Product ${fixed(estimates.Product!.perCallUs, 2)} µs per call (first call ${fixed(estimates.Product!.firstUs)} µs, cost ${estimates.Product!.cost}); Products ${fixed(estimates.Products!.perCallUs, 2)} µs per call (first call ${fixed(estimates.Products!.firstUs)} µs).`,
  ].join('\n');
  console.log(`\n${section}`);
  await writeReadmeSection('admission', '## Admission overhead (`npm run bench:admission`)', 'How to read it: see below.', section);
  console.log('\nWrote bench/README.md');
});
