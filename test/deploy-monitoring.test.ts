import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parser } from '@prometheus-io/lezer-promql';
import { gatewayMetricsSchema, parseConfig } from '@shop/config';
import { createPrisma as createCatalogPrisma, migrationsDir as catalogMigrations, type CatalogPrisma } from '@shop/catalog';
import { openDatabase, type Database } from '@shop/db';
import { apolloErrorRegistry, errorRegistry } from '@shop/errors';
import { brokerRelayMetrics } from '@shop/events/relay';
import type { Registry } from '@shop/metrics';
import { parse as parseYaml } from 'yaml';
import { GatewayMetrics } from '../gateway/src/metrics.js';
import { createSubgraphMetrics } from '../packages/graphql-kit/src/subgraph-metrics.js';
import { createNotificationsMetrics } from '../workers/notifications/src/metrics.js';

const prometheusDir = new URL('../deploy/prometheus/', import.meta.url).pathname;
const dashboardFile = new URL('../deploy/grafana/supergraph.json', import.meta.url);

interface AlertRule {
  alert: string;
  expr: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: Array<{ expr: string; datasource: { uid: string } }>;
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string | { query: string } }> };
}

const alertRules = (): AlertRule[] =>
  (parseYaml(readFileSync(`${prometheusDir}alerts.yml`, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }).groups.flatMap((group) => group.rules);
const dashboard = (): Dashboard => JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;

/** Prometheus's own checker, from Debian's prometheus package (.ci/run installs it). */
function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw new Error(`promtool could not run (${run.error.message}): apt-get install prometheus, as .ci/run does`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Grafana's variables, given values, so that a panel's query is plain PromQL. */
const withVariablesFilledIn = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', 'supergraph');

/** The metric names a PromQL expression selects; throws where it does not parse. */
function metricsSelectedBy(expr: string): string[] {
  const names: string[] = [];
  let invalidAt: number | null = null;
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) invalidAt ??= node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  if (invalidAt !== null) throw new Error(`not PromQL at ${invalidAt}: ${expr}`);
  return names;
}

/** The series names a registry exposes: a histogram's _bucket, _sum and _count, a counter's or gauge's own. */
async function exposedNames(registry: Registry): Promise<string[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.flatMap(({ name, type }) => {
    // prom-client types the field as an enum; its values are the exposition's type names.
    const kind = String(type);
    if (kind === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
    if (kind === 'summary') return [name, `${name}_sum`, `${name}_count`];
    return [name];
  });
}

describe('the alert rules (deploy/prometheus)', () => {
  it('are valid to promtool, with the example Prometheus configuration that loads them', () => {
    const checked = promtool('check', 'config', 'prometheus.yml');
    expect(checked.output).toContain('SUCCESS: 1 rule files found');
    expect(checked.output).toContain(`SUCCESS: ${alertRules().length} rules found`);
    expect(checked.status).toBe(0);
  });

  it('pass their unit tests (alerts.test.yml: circuit open, error rate, target down, stalled feed, events waiting for NATS, emails failing...)', () => {
    const tested = promtool('test', 'rules', 'alerts.test.yml');
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });

  it('count as failures exactly the error registry’s 5xx codes and the codes it does not know', () => {
    const serverCodes = Object.entries({ ...errorRegistry, ...apolloErrorRegistry })
      .filter(([, entry]) => entry.status >= 500)
      .map(([code]) => code);
    const errorRate = alertRules().find((rule) => rule.alert === 'SupergraphHighErrorRate')!;
    const counted = /outcome=~"([^"]+)"/.exec(errorRate.expr)![1]!.split('|');
    expect(counted.sort()).toEqual([...serverCodes, 'other'].sort());
    // The dashboard's error-rate panels count the same outcomes.
    const panelMatchers = dashboard()
      .panels.flatMap((panel) => panel.targets ?? [])
      .flatMap((target) => [...target.expr.matchAll(/outcome=~"([^"]+)"/g)].map((match) => match[1]));
    expect(panelMatchers.length).toBeGreaterThan(0);
    for (const matcher of panelMatchers) expect(matcher!.split('|').sort()).toEqual(counted.sort());
  });
});

describe('the Grafana dashboard (deploy/grafana)', () => {
  it('is importable: JSON with a uid, unique panel ids within 24 columns, every query on the chosen Prometheus', () => {
    const { uid, title, panels, templating } = dashboard();
    expect(uid).toMatch(/^[\w-]{1,40}$/);
    expect(title).not.toBe('');
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    const variables = templating.list.map((variable) => variable.name);
    expect(variables).toEqual(expect.arrayContaining(['datasource', 'job']));
    for (const panel of panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.targets?.length).toBeGreaterThan(0);
      expect(panel.datasource?.uid).toBe('${datasource}');
      for (const target of panel.targets!) {
        expect(target.datasource.uid).toBe('${datasource}');
        expect(() => metricsSelectedBy(withVariablesFilledIn(target.expr))).not.toThrow();
      }
    }
  });

  it('shows every panel the issue asks for', () => {
    const titles = dashboard().panels.map((panel) => panel.title);
    for (const wanted of [
      /^Request rate by operation/,
      /^Request rate by client/,
      /^Server error rate by operation/,
      /^p50 latency by operation/,
      /^p99 latency by client/,
      /^Fetches by subgraph and outcome/,
      /^Cache hits, misses and bypasses/,
      /^Purges/,
      /^Estimated cost$/,
      /^Refusals by code/,
      /^Circuit state/,
      /^Database pool/,
      /^Event feed lag/,
      /^Events waiting for NATS/,
      /^Oldest event waiting for NATS/,
      /^Emails by kind and outcome/,
      /^Notifications event lag/,
    ]) {
      expect(titles.some((title) => wanted.test(title))).toBe(true);
    }
  });
});

describe('the metrics the alerts and the dashboard read', () => {
  let database: Database;
  let catalog: CatalogPrisma;
  let registered: Set<string>;

  beforeAll(async () => {
    // The registries the services create: the gateway's, a subgraph's over a database with its
    // relay to the broker (catalog's, whose outbox the backlog is read from), and the worker's.
    database = await openDatabase({ kind: 'pglite', dataDir: null });
    await database.migrate(catalogMigrations);
    catalog = createCatalogPrisma(database);
    const gateway = new GatewayMetrics({ config: parseConfig(gatewayMetricsSchema, {}), trustedDocuments: [] });
    const subgraph = createSubgraphMetrics(database);
    const relay = brokerRelayMetrics(subgraph, { client: catalog, source: 'catalog', stream: 'SHOP_EVENTS' });
    relay.event('stock.changed', 'published');
    relay.failed();
    registered = new Set([...(await exposedNames(gateway.registry)), ...(await exposedNames(subgraph)), ...(await exposedNames(createNotificationsMetrics().registry))]);
    // The backlog is read from the outbox at each scrape: an empty one waits for nothing.
    expect(await subgraph.getSingleMetricAsString('events_relay_backlog_events')).toMatch(/^events_relay_backlog_events\{source="catalog"\} 0$/m);
  });
  afterAll(async () => {
    await catalog?.$disconnect();
    await database?.close();
  });

  /** `up` is the one series Prometheus writes itself, for each target it scrapes. */
  const known = (name: string) => name === 'up' || registered.has(name);

  it('are all registered by the services', () => {
    const used = new Map<string, string>();
    for (const rule of alertRules()) for (const name of metricsSelectedBy(rule.expr)) used.set(name, `alert ${rule.alert}`);
    for (const panel of dashboard().panels) {
      for (const target of panel.targets ?? []) for (const name of metricsSelectedBy(withVariablesFilledIn(target.expr))) used.set(name, `panel "${panel.title}"`);
    }
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter(([name]) => !known(name)).map(([name, where]) => `${name} (${where})`)).toEqual([]);
  });

  it('include every metric of the services (gateway, subgraphs, relays, worker): none is left off the dashboard', () => {
    const onDashboard = new Set(dashboard().panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricsSelectedBy(withVariablesFilledIn(target.expr)))));
    const ours = [...registered].filter((name) => /^(graphql|gateway|db|events|notifications)_/.test(name) && !/_(sum|count)$/.test(name));
    expect(ours.filter((name) => !onDashboard.has(name))).toEqual([]);
  });
});
