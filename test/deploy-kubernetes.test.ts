import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as config from '@shop/config';
import {
  gatewayMetricsSchema,
  gatewaySchema,
  loadConfig,
  natsSchema,
  notificationsSchema,
  subgraphMetricsSchema,
  subgraphNames,
  subgraphServerSchema,
  subgraphUrlsSchema,
  type Env,
  type SubgraphName,
} from '@shop/config';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

const k8sDir = new URL('../deploy/k8s/', import.meta.url).pathname;

/** The models that validate each kind the manifests may hold, by apiVersion and kind. */
const models = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
} as const;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** An overlay as `kubectl kustomize` renders it (kubectl 1.14+; .ci/run installs Debian's kubernetes-client where none is). */
function render(overlay: string): Manifest[] {
  const run = spawnSync('kubectl', ['kustomize', path.join(k8sDir, 'overlays', overlay)], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw new Error(`kubectl could not run (${run.error.message}): apt-get install kubernetes-client, as .ci/run does`);
  if (run.status !== 0) throw new Error(`kubectl kustomize failed:\n${run.stderr}`);
  return parseAllDocuments(run.stdout).map((document) => document.toJS() as Manifest);
}

/** Every variable some schema of @shop/config reads: its schemas, and those its functions make for a subgraph (or the notifications worker). */
function configurationVariables(): Set<string> {
  const names = new Set<string>();
  const visit = (schema: z.ZodType) => {
    const definition = schema._zod.def as { type: string; shape?: Record<string, unknown>; in?: z.ZodType };
    if (definition.type === 'object') Object.keys(definition.shape!).forEach((name) => names.add(name));
    if (definition.type === 'pipe') visit(definition.in!);
  };
  for (const value of Object.values(config)) {
    if (value instanceof z.ZodType) visit(value);
    if (typeof value !== 'function') continue;
    for (const name of [...subgraphNames, 'notifications']) {
      try {
        const made = (value as (subgraph: string) => unknown)(name);
        if (made instanceof z.ZodType) visit(made);
      } catch {
        // Not a schema factory (loadConfig, readEnvironment...).
      }
    }
  }
  return names;
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

describe.each(['staging', 'production'])('the Kubernetes manifests, overlay %s (deploy/k8s)', (overlay) => {
  const manifests = render(overlay);
  const ofKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
  const named = (kind: string, name: string) => ofKind(kind).find((manifest) => manifest.metadata.name === name)!;
  const podTemplate = (manifest: Manifest) => manifest.spec!.template as IPodTemplateSpec;
  const deployments = ofKind('Deployment');
  const workloads = [...deployments, ...ofKind('Job')];
  const containers = (manifest: Manifest) => podTemplate(manifest).spec!.containers;

  /** A container's environment as the service sees it: its config maps, then its own variables and secrets. */
  const environmentOf = (container: IContainer): Env => {
    const env: Env = {};
    for (const source of container.envFrom ?? []) Object.assign(env, named('ConfigMap', source.configMapRef!.name!).data);
    for (const variable of container.env ?? []) {
      const secret = variable.valueFrom?.secretKeyRef;
      env[variable.name] = secret ? named('Secret', secret.name!).stringData![secret.key] : variable.value;
    }
    return env;
  };
  const serviceOf = (deployment: Manifest) => environmentOf(containers(deployment)[0]!).SERVICE!;

  /** The settings a service takes its ports from, as its main.ts reads them. */
  const portsOf = (service: string, env: Env) => {
    if (service === 'gateway') {
      const { server, metrics } = loadConfig({ server: gatewaySchema, metrics: gatewayMetricsSchema }, env);
      return { http: server.port, metrics: metrics.endpoint.port };
    }
    if (service === 'notifications') {
      const { worker, metrics } = loadConfig({ worker: notificationsSchema, metrics: subgraphMetricsSchema('notifications') }, env);
      return { http: worker.port, metrics: metrics.port };
    }
    const subgraph = service as SubgraphName;
    const { server, metrics } = loadConfig({ server: subgraphServerSchema(subgraph), metrics: subgraphMetricsSchema(subgraph) }, env);
    return { http: server.port, metrics: metrics.port };
  };

  it('hold the gateway, each subgraph, the notifications worker, the migration Job, the settings and the network policies, all valid against the Kubernetes schemas', () => {
    for (const manifest of manifests) {
      const Model = models[`${manifest.apiVersion}/${manifest.kind}` as keyof typeof models];
      expect(Model).toBeDefined();
      expect(() => new Model(manifest as never).validate()).not.toThrow();
      expect(manifest.metadata.namespace).toBe(overlay === 'production' ? 'commerce' : 'commerce-staging');
    }
    expect(deployments.map(serviceOf).sort()).toEqual(['catalog', 'gateway', 'notifications', 'orders', 'users']);
    expect(ofKind('Service').map((service) => service.metadata.name).sort()).toEqual(['catalog', 'gateway', 'notifications', 'orders', 'users']);
    expect(ofKind('HorizontalPodAutoscaler').map((hpa) => hpa.metadata.name)).toEqual(['gateway']);
    expect(ofKind('PodDisruptionBudget').map((pdb) => pdb.metadata.name)).toEqual(['gateway']);
    expect(ofKind('Job').map((job) => job.metadata.name)).toEqual(['migrate']);
    // The validation is real: a wrong type fails it.
    expect(() => new Deployment({ ...deployments[0]!, spec: { ...deployments[0]!.spec, replicas: 'two' } } as never).validate()).toThrow();
    expect(() => new Service({ ...ofKind('Service')[0]!, spec: { ports: [{ port: 'http' }] } } as never).validate()).toThrow();
  });

  it('route each Service to one Deployment’s pods, on a port its container declares', () => {
    for (const service of ofKind('Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string | number }> };
      const targets = deployments.filter((deployment) => selects(spec.selector, podTemplate(deployment).metadata?.labels));
      expect(targets.map((deployment) => deployment.metadata.name)).toEqual([service.metadata.name]);
      const declared = containers(targets[0]!).flatMap((container) => container.ports ?? []);
      for (const { targetPort } of spec.ports) expect(declared.some((port) => port.name === targetPort || port.containerPort === targetPort)).toBe(true);
    }
  });

  it('scale the gateway with a HorizontalPodAutoscaler and protect it with a PodDisruptionBudget', () => {
    const gateway = named('Deployment', 'gateway');
    const hpa = named('HorizontalPodAutoscaler', 'gateway').spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'gateway' });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    const pdb = named('PodDisruptionBudget', 'gateway').spec as { selector: { matchLabels: Record<string, string> } };
    expect(deployments.filter((deployment) => selects(pdb.selector.matchLabels, podTemplate(deployment).metadata?.labels))).toEqual([gateway]);
    // Every container asks for CPU the autoscaler can measure against.
    for (const container of containers(gateway)) expect(container.resources?.requests?.cpu).toBeDefined();
  });

  it('probe readiness on /ready and liveness on /live, on a port the container declares, with requests and limits, as a non-root user', () => {
    for (const workload of workloads) {
      const pod = podTemplate(workload).spec!;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const container of pod.containers) {
        expect(container.resources?.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
        expect(container.resources?.limits).toEqual({ cpu: expect.anything(), memory: expect.anything() });
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      }
    }
    for (const deployment of deployments) {
      for (const container of containers(deployment)) {
        const declared = (container.ports ?? []).map((port) => port.name);
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'http' });
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/live', port: 'http' });
        expect(container.startupProbe?.httpGet).toEqual({ path: '/live', port: 'http' });
        expect(declared).toEqual(expect.arrayContaining(['http', 'metrics']));
      }
    }
  });

  it('set only variables the configuration knows, from settings and secrets that exist, and declare the ports those settings give', () => {
    const known = configurationVariables();
    for (const workload of workloads) {
      for (const container of containers(workload)) {
        const env = environmentOf(container);
        expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
        expect(Object.entries(env).filter(([, value]) => value === undefined)).toEqual([]);
      }
    }
    for (const deployment of deployments) {
      const container = containers(deployment)[0]!;
      const ports = portsOf(serviceOf(deployment), environmentOf(container));
      const declared = Object.fromEntries((container.ports ?? []).map((port) => [port.name, port.containerPort]));
      expect(declared).toEqual(ports);
      expect(podTemplate(deployment).metadata?.annotations?.['prometheus.io/port']).toBe(String(ports.metrics));
    }
  });

  it('point the gateway, orders and the worker at each subgraph through its Service', () => {
    for (const caller of ['gateway', 'orders', 'notifications']) {
      const urls = loadConfig({ urls: subgraphUrlsSchema }, environmentOf(containers(named('Deployment', caller))[0]!)).urls;
      for (const subgraph of subgraphNames) {
        const url = new URL(urls[subgraph]);
        const service = named('Service', url.hostname);
        expect((service.spec as { ports: Array<{ port: number }> }).ports.map((port) => port.port)).toContain(Number(url.port));
        expect(serviceOf(named('Deployment', service.metadata.name))).toBe(subgraph);
      }
    }
  });

  it('give each service time to drain: the grace period exceeds the preStop sleep and SHUTDOWN_TIMEOUT_MS', () => {
    for (const deployment of deployments) {
      const pod = podTemplate(deployment).spec!;
      const container = pod.containers[0]!;
      const [command, seconds] = container.lifecycle!.preStop!.exec!.command!;
      expect(command).toBe('sleep');
      const shutdownMs = loadConfig({ shutdown: config.shutdownSchema }, environmentOf(container)).shutdown.timeoutMs;
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(Number(seconds) * 1000 + shutdownMs);
    }
  });

  it('put every service that uses NATS on one stream, and give the worker its mail server from the secret', () => {
    const brokers = deployments.map((deployment) => [serviceOf(deployment), loadConfig({ nats: natsSchema }, environmentOf(containers(deployment)[0]!)).nats] as const);
    for (const service of ['gateway', 'catalog', 'orders', 'notifications']) {
      const nats = brokers.find(([name]) => name === service)![1];
      expect(nats).not.toBeNull();
      expect(nats).toEqual(brokers.find(([name]) => name === 'gateway')![1]);
    }
    const worker = containers(named('Deployment', 'notifications'))[0]!;
    expect(worker.env!.find((variable) => variable.name === 'SMTP_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'supergraph-secrets', key: 'SMTP_URL' });
    expect(loadConfig({ worker: notificationsSchema }, environmentOf(worker)).worker.smtpUrl).toMatch(/^smtps?:\/\//);
  });

  it('let only the gateway reach the subgraphs (orders reach catalog and users, the worker users), and only Prometheus their metrics ports', () => {
    // The worker reads orders' event feed only without NATS; with it, the stream.
    const workerReadsOrdersFeed = loadConfig({ nats: natsSchema }, environmentOf(containers(named('Deployment', 'notifications'))[0]!)).nats === null;
    const callers: Record<SubgraphName | 'notifications', string[]> = {
      users: ['gateway', 'orders', 'notifications'],
      catalog: ['gateway', 'orders'],
      orders: workerReadsOrdersFeed ? ['gateway', 'notifications'] : ['gateway'],
      notifications: [],
    };
    const policies = ofKind('NetworkPolicy').map((policy) => policy.spec as {
      podSelector: { matchLabels?: Record<string, string> };
      policyTypes: string[];
      ingress?: Array<{ from?: Array<{ podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown; ipBlock?: unknown }>; ports?: Array<{ port: string }> }>;
    });
    // Ingress is denied to every pod unless a policy admits it; egress is left open (PostgreSQL, Redis, NATS, SMTP are outside, by URL).
    expect(policies).toContainEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(policies.filter((policy) => policy.policyTypes.includes('Egress'))).toEqual([]);
    const admitted = (deployment: Manifest, port: string) =>
      policies
        .filter((policy) => policy.policyTypes.includes('Ingress') && (Object.keys(policy.podSelector.matchLabels ?? {}).length === 0 || selects(policy.podSelector.matchLabels, podTemplate(deployment).metadata?.labels)))
        .flatMap((policy) => policy.ingress ?? [])
        .filter((rule) => !rule.ports || rule.ports.some((allowed) => allowed.port === port))
        .map((rule) => rule.from ?? 'anyone');

    for (const deployment of deployments) {
      const service = serviceOf(deployment);
      expect(admitted(deployment, 'metrics').length).toBeGreaterThan(0);
      for (const peers of admitted(deployment, 'metrics')) {
        expect(peers).toEqual([{ namespaceSelector: expect.anything(), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }]);
      }
      if (service === 'gateway') {
        expect(admitted(deployment, 'http')).toContain('anyone');
        continue;
      }
      const peers = admitted(deployment, 'http');
      const expected = callers[service as SubgraphName | 'notifications'];
      if (expected.length === 0) {
        expect(peers).toEqual([]);
        continue;
      }
      expect(peers.length).toBeGreaterThan(0);
      for (const from of peers) {
        expect(from).not.toBe('anyone');
        for (const peer of from as Array<{ podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown; ipBlock?: unknown }>) {
          expect(peer.namespaceSelector ?? peer.ipBlock).toBeUndefined();
        }
      }
      const reachers = deployments.filter((other) =>
        peers.some((from) => (from as Array<{ podSelector?: { matchLabels: Record<string, string> } }>).some((peer) => selects(peer.podSelector?.matchLabels, podTemplate(other).metadata?.labels))),
      );
      expect(reachers.map(serviceOf).sort()).toEqual(expected.sort());
    }
  });

  it('migrate with the compiled migration command, given the database of every service that has one', () => {
    const [container] = containers(named('Job', 'migrate'));
    expect(container!.command).toEqual(['node', 'scripts/db-migrate.js']);
    expect(Object.keys(environmentOf(container!)).sort()).toEqual(['CATALOG_DATABASE_URL', 'NOTIFICATIONS_DATABASE_URL', 'ORDERS_DATABASE_URL', 'USERS_DATABASE_URL']);
    // Each is the database its service reads: none is left to the embedded default on a read-only filesystem.
    for (const deployment of deployments.filter((candidate) => serviceOf(candidate) !== 'gateway')) {
      const service = serviceOf(deployment) as SubgraphName | 'notifications';
      const key = `${service.toUpperCase()}_DATABASE_URL`;
      expect(environmentOf(containers(deployment)[0]!)[key]).toBe(environmentOf(container!)[key]);
    }
    expect((named('Job', 'migrate').spec!.template as IPodTemplateSpec).spec!.restartPolicy).toBe('Never');
  });

  it('run one image everywhere, from the registry the overlay names', () => {
    const images = new Set(workloads.flatMap((workload) => containers(workload).map((container) => container.image)));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^[\w.-]+(:\d+)?\/[\w./-]+:[\w.-]+$/);
    if (overlay === 'production') expect([...images][0]).not.toMatch(/:latest$/);
  });
});
