import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SubgraphName } from '@shop/config';

const READY_TIMEOUT_MS = 60_000;

export type ServiceName = 'gateway' | SubgraphName;

/** The workspace package of each service; its entry point is `main.ts` beside the package's main module. */
const packageOf: Record<ServiceName, string> = {
  gateway: '@shop/gateway',
  users: '@shop/users',
  catalog: '@shop/catalog',
  orders: '@shop/orders',
};

const readyMessage = (service: ServiceName) => (service === 'gateway' ? '"gateway ready"' : '"subgraph ready"');

export interface ServiceProcess {
  readonly service: ServiceName;
  /** The GraphQL URL it reported when ready. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal: SIGSTOP freezes it, SIGCONT thaws it, SIGKILL crashes it. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with its exit code (or signal) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (thawing it first), then waits for it to exit. */
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  service: ServiceName;
  /** Its whole configuration, as the environment spells it (nothing is inherited but PATH). */
  env: Record<string, string>;
  /** The compiled services (`npm run build`): runs the image's command there, `node scripts/serve.js`, instead of main.ts. */
  buildDir?: string;
}

/** Services started side by side must not all ask for the default metrics ports. */
export const ANY_FREE_METRICS_PORTS = { METRICS_PORT: '0', USERS_METRICS_PORT: '0', CATALOG_METRICS_PORT: '0', ORDERS_METRICS_PORT: '0', NOTIFICATIONS_METRICS_PORT: '0' };

/**
 * A service as production runs it: its `main.ts` in a Node process of its own, configured by
 * its environment only, resolved once it logs that it is ready (at LOG_LEVEL info or below).
 * Rejects with what it wrote when it exits or is not ready within a minute.
 */
export function startServiceProcess({ service, env, buildDir }: ServiceProcessOptions): Promise<ServiceProcess> {
  const entry = new URL('./main.ts', `file://${createRequire(import.meta.url).resolve(packageOf[service])}`).pathname;
  const child = spawn(process.execPath, buildDir ? ['scripts/serve.js'] : ['--import', 'tsx', entry], {
    cwd: buildDir,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', ...ANY_FREE_METRICS_PORTS, SERVICE: service, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
    }
    await exited;
  };
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onOutput);
      void stop().then(() => reject(new Error(`${service} process ${reason}:\n${output}`)));
    };
    const timer = setTimeout(() => fail('not ready in time'), READY_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(`exited with ${code}`);
    const onOutput = () => {
      const ready = output.split('\n').find((line) => line.includes(readyMessage(service)));
      if (!ready) return;
      clearTimeout(timer);
      child.stdout!.off('data', onOutput);
      child.off('exit', onExit);
      resolve({
        service,
        url: (JSON.parse(ready) as { url: string }).url,
        child,
        output: () => output,
        signal: (signal) => {
          if (running()) child.kill(signal);
        },
        exited,
        stop,
      });
    };
    child.stdout!.on('data', onOutput);
    child.once('exit', onExit);
  });
}

/**
 * The first port of the kernel's ephemeral range: outgoing connections take their local port from
 * it, so a port chosen there can be taken by a client socket between our check and the child's
 * listen (EADDRINUSE). Ports below it are only ever taken by someone listening.
 */
const EPHEMERAL_PORTS_START = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
})();
const LOWEST_TEST_PORT = 10_000;

async function isFreeNow(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (listening) await new Promise((resolve) => server.close(resolve));
  return listening;
}

/**
 * A TCP port free on 127.0.0.1 right now, for a process of its own to listen on (and come back on
 * after a restart). Chosen at random below the ephemeral range, where no outgoing connection and
 * no `listen(0)` can take it before the process binds it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = LOWEST_TEST_PORT + Math.floor(Math.random() * (EPHEMERAL_PORTS_START - LOWEST_TEST_PORT));
    if (await isFreeNow(port)) return port;
  }
}

export interface OwnRedis {
  readonly url: string;
  readonly pid: number;
  /** SIGSTOP: it keeps its connections and answers nothing. */
  freeze(): void;
  thaw(): void;
  /** Stops the process (its data goes with it: it saves nothing). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1:port with `args`, resolved once it accepts connections. */
async function launchRedisServer(port: number, args: string[] = []): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let said = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start:\n${said}`)), 10_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('Ready to accept connections')) {
        clearTimeout(timer);
        server.stdout!.resume();
        resolve();
      }
    });
    server.once('exit', () => reject(new Error(`redis-server on ${port} exited:\n${said}`)));
  });
  return server;
}

/** SIGKILL (thawing it first, or a stopped process would not die), then waits for it to exit. */
async function killRedisServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGCONT');
  server.kill('SIGKILL');
  await exited;
}

/** A redis-server of the test's own on a free port, to freeze or stop without touching anyone else's. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let server = await launchRedisServer(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return server.pid!;
    },
    freeze: () => server.kill('SIGSTOP'),
    thaw: () => server.kill('SIGCONT'),
    kill: () => killRedisServer(server),
    restart: async () => {
      server = await launchRedisServer(port);
    },
    stop: () => killRedisServer(server),
  };
}

export interface OwnRedisClusterNode {
  readonly port: number;
  readonly pid: number;
  /** SIGKILL: its slots are away until it is restarted. */
  kill(): Promise<void>;
  /** Starts it again on the same ports, from the cluster configuration it wrote: it rejoins the cluster. */
  restart(): Promise<void>;
}

export interface OwnRedisCluster {
  /** REDIS_URL naming the cluster by its nodes. */
  readonly url: string;
  readonly nodes: readonly OwnRedisClusterNode[];
  /** Resolves once every node says `cluster_state:ok` (after a restart, say). */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

const runRedisCli = promisify(execFile);

async function clusterStateOk(port: number): Promise<boolean> {
  const { stdout } = await runRedisCli('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info'], { timeout: 5_000 }).catch(() => ({ stdout: '' }));
  return /^cluster_state:ok\r?$/m.test(stdout);
}

/**
 * A Redis Cluster of the test's own: three masters (no replicas) on free ports, each with its
 * bus port and configuration directory, stopped by PID. `nodeTimeoutMs` is how soon the others
 * mark a lost node failed (and the cluster down, its slots being uncovered).
 */
export async function startOwnRedisCluster({ nodeTimeoutMs = 1_000 } = {}): Promise<OwnRedisCluster> {
  const directory = await mkdtemp(join(tmpdir(), 'own-redis-cluster-'));
  const nodes = await Promise.all(
    [0, 1, 2].map(async (index) => {
      const port = await freePort();
      const busPort = await freePort();
      const args = ['--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-config-file', `nodes-${index}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs), '--dir', directory];
      let server = await launchRedisServer(port, args);
      return {
        port,
        get pid() {
          return server.pid!;
        },
        kill: () => killRedisServer(server),
        restart: async () => {
          server = await launchRedisServer(port, args);
        },
      };
    }),
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    await rm(directory, { recursive: true, force: true });
  };
  const healthy = async () => {
    const deadline = Date.now() + 30_000;
    while (!(await Promise.all(nodes.map((node) => clusterStateOk(node.port)))).every(Boolean)) {
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not reach cluster_state:ok in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await runRedisCli('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], { timeout: 30_000 });
    await healthy();
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`, nodes, healthy, stop };
}
