// The harness of bench:hostile and bench:admission: fresh PostgreSQL databases with a seeded
// catalog, each subgraph and each gateway as production runs it (compiled, `node
// dist/.../main.js`, configured by its environment, NODE_ENV=production), load generators as
// processes of their own, memory and CPU read from /proc, and everything stopped by PID at
// the end, on an error, on Ctrl+C, or when the safety timeout fires.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { buildSync } from 'esbuild';
import { createPrisma as createCatalogPrisma, migrationsDir as catalogMigrations } from '@shop/catalog';
import { catalogBuilders } from '@shop/catalog/testing';
import { subgraphNames, type SubgraphName } from '@shop/config';
import { openDatabase } from '@shop/db';
import { createPrisma as createOrdersPrisma, migrationsDir as ordersMigrations } from '@shop/orders';
import { orderBuilders } from '@shop/orders/testing';
import { ANY_FREE_METRICS_PORTS, createTestDatabases, createTestRedis, type TestDatabases, type TestRedis } from '@shop/testing';
import { createPrisma as createUsersPrisma, migrationsDir as usersMigrations } from '@shop/users';
import { TEST_PASSWORD, userBuilders } from '@shop/users/testing';
import { linkWorkspaceModules } from '../scripts/workspaces.js';
import type { PeerProcessSpec } from './peer-gateways.js';
import type { LoadResult, LoadSpec, SeededCatalog, SeededOrder, SeededProduct, SeededShop } from './workloads.js';

const HOST = '127.0.0.1';
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const READY_TIMEOUT_MS = 90_000;

/** A server process this run started: its PID, where it answers, and what /proc says of it. */
export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  /** Resident memory now, in KiB (0 once it has exited). */
  rssKiB(): number;
  /** Peak resident memory over the process's life (VmHWM), in KiB. */
  peakRssKiB(): number;
  /** CPU seconds used so far (user + system). */
  cpuSeconds(): number;
  exited(): boolean;
  stop(): Promise<void>;
  /** The last lines it printed, for an error report. */
  output(): string;
}

function procStatus(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function procCpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which sits in parentheses): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Every child this run started, stopped by PID at the end whatever happens. */
const children = new Set<ChildProcess>();
const loadGenerators = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];
let cleaningUp: Promise<void> | undefined;

async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child (SIGTERM, then SIGKILL after 5 s), then runs the registered cleanups (databases, Redis keys). */
export function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child)));
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
  })();
  return cleaningUp;
}

/**
 * Runs a benchmark's body with the safety net: Ctrl+C, SIGTERM, an error or the timeout
 * stops every process it started and removes its databases and Redis keys.
 */
export async function runBench(name: string, safetyMinutes: number, body: () => Promise<void>): Promise<void> {
  const abort = (reason: string, code: number) => {
    console.error(`\n${name}: ${reason}; stopping everything this run started`);
    void cleanUp().finally(() => process.exit(code));
  };
  const safety = setTimeout(() => abort(`gave up after ${safetyMinutes} minutes`, 1), safetyMinutes * 60_000);
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  try {
    await body();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await cleanUp();
    clearTimeout(safety);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(process: ServerProcess, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const healthUrl = new URL('/health', process.url);
  while (Date.now() < deadline) {
    if (process.exited()) throw new Error(`${process.name} exited while starting:\n${process.output()}`);
    const healthy = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) }).then((response) => response.ok, () => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${process.name} was not healthy within ${timeoutMs / 1000} s:\n${process.output()}`);
}

async function waitForLine(process: ServerProcess, ready: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    timer = setInterval(() => {
      if (process.exited()) reject(new Error(`${process.name} exited while starting:\n${process.output()}`));
      else if (Date.now() > deadline) reject(new Error(`${process.name} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${process.output()}`));
    }, 200);
  });
  try {
    await Promise.race([ready, failed]);
  } finally {
    clearInterval(timer);
  }
}

/** True when the server answers GET /health with 200 within `timeoutMs`. */
export const isHealthy = (server: ServerProcess, timeoutMs = 5_000) =>
  fetch(new URL('/health', server.url), { signal: AbortSignal.timeout(timeoutMs) }).then((response) => response.ok, () => false);

/** Where a server process runs from, its arguments, and how it says it is ready (GET /health unless a line it prints). */
export interface StartOptions {
  /** The checkout it runs from (this one unless told: a baseline's). */
  root?: string;
  args?: string[];
  readyLine?: string;
  /** Run the checkout's compiled JavaScript (`npm run build`, dist/), as the image does, instead of the TypeScript through tsx. */
  compiled?: boolean;
}

const compiledCheckouts = new Set<string>();

/**
 * Compiles a checkout as its image does (its own scripts/build.ts into its dist/), once per
 * run, and the peer gateways' harness beside it: the servers measured run the JavaScript
 * production runs. Under tsx each function a request creates paid esbuild's keepNames
 * (`__name`, a defineProperty) and module loads paid tsx's hooks.
 */
function compileCheckout(root: string): void {
  if (compiledCheckouts.has(root)) return;
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  linkWorkspaceModules(root);
  if (root === repoRoot) {
    // Not bundled: its imports find the compiled workspaces and gateway/ inside dist/.
    buildSync({ absWorkingDir: root, entryPoints: ['bench/peer-gateways.ts'], outdir: 'dist', outbase: '.', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  }
  compiledCheckouts.add(root);
}

/**
 * Starts `node dist/<entry>.js` (compiled) or `node --import tsx <entry>` with exactly this
 * environment and waits for GET /health (or its ready line).
 */
export async function startServer(name: string, entry: string, env: Record<string, string>, url: string, options: StartOptions = {}): Promise<ServerProcess> {
  const root = options.root ?? repoRoot;
  if (options.compiled) compileCheckout(root);
  const command = options.compiled ? [path.join('dist', entry.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, [...command, ...(options.args ?? [])], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...ANY_FREE_METRICS_PORTS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line === options.readyLine) markReady();
      lines.push(line);
      if (lines.length > 40) lines.shift();
    });
  }
  let done = false;
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      children.delete(child);
      // Said at once: a load generator meeting a closed port is the symptom, this is the cause.
      if (!stopping && !cleaningUp) {
        console.error(`${name} (pid ${child.pid}) exited on its own or was killed from outside this run: ${signal ?? `exit code ${code}`}; its last output:\n${lines.slice(-15).join('\n')}`);
      }
      resolve();
    }),
  );
  const pid = child.pid!;
  const server: ServerProcess = {
    name,
    pid,
    url,
    rssKiB: () => (done ? 0 : procStatus(pid, 'VmRSS')),
    peakRssKiB: () => (done ? 0 : procStatus(pid, 'VmHWM')),
    cpuSeconds: () => (done ? 0 : procCpuSeconds(pid)),
    exited: () => done,
    stop: async () => {
      stopping = true;
      await stopChild(child);
      await exited;
    },
    output: () => lines.join('\n'),
  };
  try {
    if (options.readyLine) await waitForLine(server, ready);
    else await waitForHealth(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Secrets of 64 bytes, as production configures them (kid:secret). */
const keyRing = (kid: string) => `${kid}:${randomBytes(32).toString('hex')}`;

export interface Cluster {
  runId: string;
  catalog: SeededCatalog;
  /** An administrator's account, to sign in through a gateway (the cost report). */
  admin: { email: string; password: string };
  subgraphs: Record<SubgraphName, ServerProcess>;
  subgraphUrls: Record<SubgraphName, string>;
  /** Stops the three subgraphs (SIGTERM, then SIGKILL) and starts them again on the same ports and databases. */
  restartSubgraphs(): Promise<void>;
  /** Three more subgraph processes on the same databases, on ports of their own, with these settings over production's (run from another checkout's `root` when given: a baseline). */
  startSubgraphSet(label: string, env: Record<string, string>, root?: string): Promise<{ subgraphs: Record<SubgraphName, ServerProcess>; urls: Record<SubgraphName, string> }>;
  /** Plain Apollo Gateway or Hive Gateway on these subgraphs, or a bare node:http server sending the bytes of `bodyFile` (or of `answersFile`, by request body): a process of its own (bench/peer-gateways.ts). */
  startPeer(name: string, spec: { peer: 'apollo' | 'hive'; subgraphUrls?: Record<SubgraphName, string> } | { peer: 'bare'; bodyFile: string } | { peer: 'bare'; answersFile: string }): Promise<ServerProcess>;
  /** The subgraphs' GATEWAY_TOKEN_KEYS (kid:secret), for a peer or a replay to sign with. */
  gatewayKeys: string;
  databaseUrls: Record<SubgraphName, string>;
  /** Seeded shoppers (carts, orders) and their orders: empty unless asked for. */
  shop: SeededShop;
  /** A gateway process on these subgraphs (or others: USERS_URL... in `env`), with a Redis key prefix of its own and these settings over production's. */
  startGateway(name: string, env: Record<string, string>): Promise<ServerProcess>;
}

const materials = ['oak', 'walnut', 'steel', 'linen', 'wool', 'glass', 'brass', 'cotton', 'marble', 'bamboo'];
const things = ['lamp', 'chair', 'table', 'shelf', 'rug', 'vase', 'desk', 'stool', 'mirror', 'clock'];
const rooms = ['kitchen', 'bedroom', 'garden', 'office', 'hallway'];
const styles = ['nordic', 'rustic', 'modern', 'classic', 'compact'];

const orderStatuses = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;

/**
 * `count` shoppers, each with a cart of 1 to 4 lines and 0 to 6 orders of 1 to 3 lines (every
 * order its own status and creation instant), the way `Me` and an admin's order list see them.
 */
async function seedShop(databases: TestDatabases, catalog: SeededCatalog, count: number): Promise<SeededShop> {
  const shop: SeededShop = { shoppers: [], orders: [] };
  if (count === 0) return shop;
  const usersDatabase = await openDatabase(databases.configs.users);
  const ordersDatabase = await openDatabase(databases.configs.orders);
  try {
    const users = userBuilders(createUsersPrisma(usersDatabase));
    const ordersPrisma = createOrdersPrisma(ordersDatabase);
    const orders = orderBuilders(ordersPrisma);
    const startedAt = Date.parse('2026-03-01T00:00:00Z');
    const cents = (price: string) => Math.round(Number(price) * 100);
    for (let index = 0; index < count; index++) {
      const user = await users.user();
      let subtotal = 0;
      const cart: string[] = [];
      for (let line = 0; line <= index % 4; line++) {
        const product = catalog.products[(index * 13 + line * 37) % catalog.products.length]!;
        const quantity = 1 + (line % 3);
        await orders.cartLine(user.id, product.id, quantity);
        subtotal += cents(product.price) * quantity;
        cart.push(product.id);
      }
      const placed: SeededOrder[] = [];
      for (let number = 0; number < index % 7; number++) {
        const lines = Array.from({ length: 1 + ((index + number) % 3) }, (_, line) => catalog.products[(index * 7 + number * 11 + line * 5) % catalog.products.length]!);
        const status = orderStatuses[(index + number) % orderStatuses.length]!;
        const createdAt = new Date(startedAt + (shop.orders.length + placed.length) * 3_600_000);
        const order = await orders.order(
          user.id,
          lines.map((product) => ({ productId: product.id, productName: product.name, quantity: 1, unitPrice: product.price })),
          { status, createdAt },
        );
        placed.push({ id: order.id, userId: user.id, status, createdAt: createdAt.toISOString() });
      }
      shop.orders.push(...placed);
      shop.shoppers.push({
        id: user.id,
        email: user.email,
        cartProductIds: cart.sort(),
        subtotal: (subtotal / 100).toFixed(2),
        orderIds: placed.reverse().map((order) => order.id),
      });
    }
    await ordersPrisma.$disconnect();
  } finally {
    await usersDatabase.close();
    await ordersDatabase.close();
  }
  // Newest first, ties by id: as the orders subgraph lists them.
  shop.orders.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? 1 : -1));
  return shop;
}

/**
 * Databases, data and subgraphs. The catalog: 20 categories, 500 products spread over them
 * (names and descriptions from a small vocabulary, so searches find tens of products),
 * each with its own price and creation instant; 3 users, and `shoppers` more with carts and orders.
 */
export async function startCluster({ shoppers = 0 }: { shoppers?: number } = {}): Promise<Cluster> {
  const runId = randomBytes(4).toString('hex');
  const databases: TestDatabases = await createTestDatabases('postgres');
  cleanups.push(() => databases.drop());
  const redis: TestRedis = createTestRedis();
  cleanups.push(() => redis.drop());
  if (!redis.config.url) throw new Error('TEST_REDIS_URL is not set: the gateways keep budgets and the response cache in Redis');

  const migrations: Record<SubgraphName, string> = { users: usersMigrations, catalog: catalogMigrations, orders: ordersMigrations };
  for (const name of subgraphNames) {
    const database = await openDatabase(databases.configs[name]);
    try {
      await database.migrate(migrations[name]);
    } finally {
      await database.close();
    }
  }

  const catalogDatabase = await openDatabase(databases.configs.catalog);
  const catalog: SeededCatalog = { categories: [], products: [], searchTerms: [...materials, ...things, ...rooms, ...styles] };
  try {
    const prisma = createCatalogPrisma(catalogDatabase);
    const build = catalogBuilders(prisma);
    for (let index = 0; index < 20; index++) {
      const category = await build.category({ name: `Category ${String(index).padStart(2, '0')} ${styles[index % styles.length]}` });
      catalog.categories.push({ id: category.id, name: category.name });
    }
    const startedAt = Date.parse('2026-01-01T00:00:00Z');
    for (let index = 0; index < 500; index++) {
      const material = materials[(index * 7) % materials.length]!;
      const thing = things[index % things.length]!;
      const data = {
        name: `${material[0]!.toUpperCase()}${material.slice(1)} ${thing} ${String(index).padStart(3, '0')}`,
        description: `A ${styles[(index * 3) % styles.length]} ${thing} in ${material} for the ${rooms[(index * 11) % rooms.length]}`,
        brand: `Brand ${index % 17}`,
        price: (((index * 7919) % 49_000) / 100 + 5).toFixed(2),
        categoryId: catalog.categories[index % 20]!.id,
        stockQuantity: 1_000,
        createdAt: new Date(startedAt + index * 60_000),
      };
      const product = await build.product(data);
      catalog.products.push({
        id: product.id,
        name: product.name,
        description: product.description,
        price: data.price,
        categoryId: data.categoryId,
        createdAt: product.createdAt.toISOString(),
      } satisfies SeededProduct);
    }
    await prisma.$disconnect();
  } finally {
    await catalogDatabase.close();
  }
  const usersDatabase = await openDatabase(databases.configs.users);
  try {
    const prisma = createUsersPrisma(usersDatabase);
    const users = userBuilders(prisma);
    await users.user({ role: 'ADMIN', email: `admin-${runId}@example.test`, password: TEST_PASSWORD });
    await users.user();
    await users.user();
    await prisma.$disconnect();
  } finally {
    await usersDatabase.close();
  }

  const shop = await seedShop(databases, catalog, shoppers);

  const ports = Object.fromEntries(await Promise.all(subgraphNames.map(async (name) => [name, await freePort()] as const))) as Record<SubgraphName, number>;
  const subgraphUrls = Object.fromEntries(subgraphNames.map((name) => [name, `http://${HOST}:${ports[name]}/graphql`])) as Record<SubgraphName, string>;
  const gatewayKeys = keyRing('bench-gateway');
  const accessKeys = keyRing('bench-access');
  const productionEnv = { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST, GATEWAY_TOKEN_KEYS: gatewayKeys };
  const subgraphEnv = (name: SubgraphName, urls: Record<SubgraphName, string>): Record<string, string> => {
    const variable = name.toUpperCase();
    const url = (databases.configs[name] as { url: string }).url;
    return {
      ...productionEnv,
      [`${variable}_DATABASE_URL`]: url,
      [`${variable}_PORT`]: new URL(urls[name]).port,
      SEED_DEMO_DATA: 'false',
      // Access tokens that outlive a long run: the bench signs its shoppers in once.
      ...(name === 'users' ? { ACCESS_TOKEN_KEYS: accessKeys, ACCESS_TOKEN_TTL_SECONDS: '3600', REDIS_URL: redis.config.url!, REDIS_KEY_PREFIX: `${redis.config.keyPrefix}users:` } : {}),
      ...(name === 'orders' ? { CATALOG_URL: urls.catalog } : {}),
    };
  };
  const startSubgraphs = async (urls = subgraphUrls, env: Record<string, string> = {}, label = '', root?: string) =>
    Object.fromEntries(
      await Promise.all(
        subgraphNames.map(async (name) => [name, await startServer(`${name}${label}`, `subgraphs/${name}/src/main.ts`, { ...subgraphEnv(name, urls), ...env }, urls[name], { root, compiled: true })] as const),
      ),
    ) as Record<SubgraphName, ServerProcess>;

  const cluster: Cluster = {
    runId,
    catalog,
    admin: { email: `admin-${runId}@example.test`, password: TEST_PASSWORD },
    subgraphs: await startSubgraphs(),
    subgraphUrls,
    gatewayKeys,
    restartSubgraphs: async () => {
      await Promise.all(subgraphNames.map((name) => cluster.subgraphs[name].stop()));
      cluster.subgraphs = await startSubgraphs();
    },
    startSubgraphSet: async (label, env, root) => {
      const urls = Object.fromEntries(await Promise.all(subgraphNames.map(async (name) => [name, `http://${HOST}:${await freePort()}/graphql`] as const))) as Record<SubgraphName, string>;
      return { subgraphs: await startSubgraphs(urls, env, ` (${label})`, root), urls };
    },
    startPeer: async (name, spec) => {
      const port = await freePort();
      const processSpec: PeerProcessSpec =
        spec.peer === 'bare' ? { ...spec, port } : { peer: spec.peer, port, subgraphUrls: spec.subgraphUrls ?? subgraphUrls, gatewayKeys };
      return startServer(name, 'bench/peer-gateways.ts', { NODE_ENV: 'production' }, `http://${HOST}:${port}/graphql`, {
        args: [JSON.stringify(processSpec)],
        readyLine: 'READY',
        compiled: true,
      });
    },
    databaseUrls: Object.fromEntries(subgraphNames.map((name) => [name, (databases.configs[name] as { url: string }).url])) as Record<SubgraphName, string>,
    shop,
    startGateway: async (name, env) => {
      const port = await freePort();
      return startServer(name, 'gateway/src/main.ts', {
        ...productionEnv,
        PORT: String(port),
        USERS_URL: subgraphUrls.users,
        CATALOG_URL: subgraphUrls.catalog,
        ORDERS_URL: subgraphUrls.orders,
        REDIS_URL: redis.config.url!,
        REDIS_KEY_PREFIX: `${redis.config.keyPrefix}${name.replace(/\W+/g, '-')}:`,
        // As behind a load balancer: anonymous callers are told apart by X-Forwarded-For.
        TRUST_PROXY: 'true',
        ...env,
      }, `http://${HOST}:${port}/graphql`, { compiled: true });
    },
  };
  return cluster;
}

/** A load generator started; `result` settles when it prints its result. */
export interface RunningLoad {
  /** Resolves when its timed run has begun. */
  started: Promise<void>;
  result: Promise<LoadResult>;
  /** Ends a run started with `untilStopped`. */
  stop(): void;
}

/** Starts bench/load-generator.ts in a process of its own with this spec. */
export function startLoad(spec: LoadSpec): RunningLoad {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-generator.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  loadGenerators.add(child);
  child.once('exit', () => {
    children.delete(child);
    loadGenerators.delete(child);
  });
  child.stdin!.write(`${JSON.stringify(spec)}\n`);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const warmSeconds = spec.warm === 'every-product' ? 60 : 30;
  const result = new Promise<LoadResult>((resolve, reject) => {
    let found: LoadResult | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator ${spec.label} did not finish in time`));
    }, (spec.seconds + warmSeconds + 60) * 1000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'STARTED') markStarted();
      else if (line.startsWith('RESULT ')) found = JSON.parse(line.slice('RESULT '.length)) as LoadResult;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      markStarted();
      if (found) resolve(found);
      else reject(new Error(`load generator ${spec.label} exited with ${code} and no result:\n${stderr}`));
    });
  });
  return {
    started,
    result,
    stop: () => {
      if (child.exitCode === null) child.stdin!.write('stop\n');
    },
  };
}

/** Signs an account in through a gateway's Login mutation; returns the Authorization header. */
export async function signIn(gatewayUrl: string, account: { email: string; password: string }): Promise<Record<string, string>> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }', variables: { input: account } }),
  });
  const answer = (await response.json()) as { data?: { login?: { accessToken: string } } };
  if (!answer.data?.login) throw new Error(`sign-in of ${account.email} failed: ${JSON.stringify(answer)}`);
  return { authorization: `Bearer ${answer.data.login.accessToken}` };
}

/** Runs one load to its end. */
export const runLoad = (spec: LoadSpec) => startLoad(spec).result;

/** What a group of processes used over a stretch of time. */
export interface Usage {
  /** Highest sum of resident memory seen, in MiB. */
  peakRssMiB: number;
  cpuSeconds: number;
  /** How long the sampling lasted: cpuSeconds / seconds is the share of one core. */
  seconds: number;
}

/** A group of processes to watch: its PIDs, read again at every sample (load generators come and go). */
export interface Watched {
  name: string;
  pids(): number[];
}

/**
 * PIDs of PostgreSQL server processes on this machine: every one (the server is shared: sample
 * when nothing else runs), or, given database names, the backends serving those databases
 * (their title reads "postgres: 15/main: <user> <database> <client> <state>").
 */
export function postgresPids(databases?: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (databases && !readFileSync(`/proc/${entry}/cmdline`, 'utf8').split(/[\s\0]+/).some((word) => databases.includes(word))) continue;
      pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** PIDs of the load generators running now. */
export const loadGeneratorPids = () => [...loadGenerators].map((child) => child.pid!).filter(Boolean);

/**
 * Peak resident memory and CPU seconds of each group over a stretch of time, sampled every
 * 100 ms: CPU is counted from the first sample (or from 0 for a process started meanwhile)
 * to the last sample that saw the process.
 */
export function sampleUsage(groups: Watched[]): { stop(): Map<string, Usage> } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const peaks = new Map(groups.map((group) => [group.name, 0]));
  let started = false;
  const startedAt = Date.now();
  const sample = () => {
    for (const group of groups) {
      let rss = 0;
      for (const pid of group.pids()) {
        rss += procStatus(pid, 'VmRSS');
        const cpu = procCpuSeconds(pid);
        if (!first.has(pid)) first.set(pid, started ? 0 : cpu);
        if (cpu > 0) last.set(pid, cpu);
      }
      peaks.set(group.name, Math.max(peaks.get(group.name)!, rss));
    }
    started = true;
  };
  const owners = () => new Map(groups.flatMap((group) => group.pids().map((pid) => [pid, group.name] as const)));
  sample();
  const seen = owners();
  const timer = setInterval(() => {
    for (const [pid, name] of owners()) seen.set(pid, name);
    sample();
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const cpu = new Map(groups.map((group) => [group.name, 0]));
      for (const [pid, name] of seen) cpu.set(name, cpu.get(name)! + Math.max(0, (last.get(pid) ?? 0) - (first.get(pid) ?? 0)));
      const seconds = (Date.now() - startedAt) / 1000;
      return new Map(groups.map((group) => [group.name, { peakRssMiB: peaks.get(group.name)! / 1024, cpuSeconds: cpu.get(group.name)!, seconds }]));
    },
  };
}

/** Anonymous shoppers, each request from one of these X-Forwarded-For addresses. */
export const shoppers = Array.from({ length: 250 }, (_, index) => `198.51.100.${index + 1}`);
/** Cost budgets no load generator spends: every request is still estimated and charged. */
export const highBudgets = Object.fromEntries(['ANONYMOUS', 'USER', 'ADMIN', 'API_KEY'].map((who) => [`COST_BUDGET_${who}`, '1000000000']));

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const machineLine = () =>
  `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL 15 and Redis on 127.0.0.1, ${new Date().toISOString().slice(0, 10)}`;

/** Which code was measured: the commit, and the files outside bench/ that differ from it. */
export function sourceLine(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--', '.', ':!bench', ':!package.json')
      .split('\n')
      .filter(Boolean)
      // `git` trims the output, and with it the first line's leading status column.
      .map((line) => `\`${line.replace(/^\s*\S+\s+/, '')}\``);
    const listed = changed.length > 6 ? [...changed.slice(0, 6), `${changed.length - 6} more`] : changed;
    return `commit ${commit}${changed.length ? ` plus uncommitted changes to ${listed.join(', ')}` : ''}`;
  } catch {
    return 'commit unknown';
  }
}

/** True while a jest run (the suite, which other engineers start on this machine) is going on. */
export function jestRunning(): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/node_modules\/jest/.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

/** Waits while a jest run is going on: timings on 2 cores mean nothing under another load. */
export async function waitForQuiet(maxMinutes = 20): Promise<void> {
  const deadline = Date.now() + maxMinutes * 60_000;
  let told = false;
  while (jestRunning() && Date.now() < deadline) {
    if (!told) console.log('A jest run is going on: waiting for it to end before measuring...');
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}

/** CPU seconds of every process on the machine now, by PID, with its command name and parent. */
function allProcessesCpu(): Map<number, { comm: string; ppid: number; cpu: number }> {
  const result = new Map<number, { comm: string; ppid: number; cpu: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // After the command name: state, ppid, ...; utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(Number(entry), { comm, ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

/** Shared servers whose work is (mostly) ours while we measure. */
const sharedServers = new Set(['postgres', 'redis-server']);

/**
 * Watches the machine while a measurement lasts: `stop()` says whether a jest run was seen,
 * or whether processes this run did not start used more than 10 % of a core (another
 * engineer's typecheck, lint or tests), and how much.
 */
export function watchForInterference(): { stop(): { disturbed: boolean; foreignCpuShare: number; jest: boolean; top: string } } {
  const startedAt = Date.now();
  let jest = jestRunning();
  const first = new Map<number, number>();
  const last = new Map<number, { comm: string; ppid: number; cpu: number }>();
  const ours = new Set<number>([process.pid]);
  const sample = (initial: boolean) => {
    const now = allProcessesCpu();
    // This run's processes and theirs (tsx starts an esbuild service in each), found through their parents.
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, entry] of now) {
        if (!ours.has(pid) && ours.has(entry.ppid)) {
          ours.add(pid);
          grew = true;
        }
      }
    }
    for (const [pid, entry] of now) {
      if (!first.has(pid)) first.set(pid, initial ? entry.cpu : 0);
      last.set(pid, entry);
    }
  };
  sample(true);
  const timer = setInterval(() => {
    jest ||= jestRunning();
    sample(false);
  }, 1_000);
  return {
    stop: () => {
      clearInterval(timer);
      sample(false);
      jest ||= jestRunning();
      const foreign: Array<[string, number]> = [];
      for (const [pid, entry] of last) {
        if (ours.has(pid) || sharedServers.has(entry.comm) || pid <= 2) continue;
        const used = Math.max(0, entry.cpu - (first.get(pid) ?? 0));
        if (used > 0) foreign.push([`${entry.comm} (${pid})`, used]);
      }
      const seconds = Math.max(1, (Date.now() - startedAt) / 1000);
      const foreignCpuShare = foreign.reduce((sum, [, used]) => sum + used, 0) / seconds;
      const top = foreign
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([name, used]) => `${name} ${((100 * used) / seconds).toFixed(0)} %`)
        .join(', ');
      return { disturbed: jest || foreignCpuShare > 0.1, foreignCpuShare, jest, top };
    },
  };
}

/**
 * Runs a measurement on a quiet machine: waits for any jest run to end first, and measures
 * again (up to `attempts` times) when one started meanwhile. Returns the result and whether
 * the last attempt was still disturbed.
 */
export async function measureQuietly<T>(label: string, measure: () => Promise<T>, attempts = 3): Promise<{ result: T; disturbed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet(5);
    const watch = watchForInterference();
    const result = await measure();
    const seen = watch.stop();
    if (!seen.disturbed || attempt >= attempts) return { result, disturbed: seen.disturbed };
    const why = seen.jest ? 'a jest run' : `processes this run did not start (${(100 * seen.foreignCpuShare).toFixed(0)} % of a core: ${seen.top})`;
    console.log(`${label}: ${why} ran meanwhile; measuring again`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in bench/README.md, or appends the section. */
export async function writeReadmeSection(name: string, heading: string, intro: string, section: string): Promise<void> {
  const { readFileSync: read, writeFileSync } = await import('node:fs');
  const path = new URL('./README.md', import.meta.url);
  const readme = read(path, 'utf8');
  const block = `<!-- ${name}:start -->\n${section}\n<!-- ${name}:end -->`;
  const pattern = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  const updated = pattern.test(readme) ? readme.replace(pattern, () => block) : `${readme.trimEnd()}\n\n${heading}\n\n${intro}\n\n${block}\n`;
  writeFileSync(path, updated);
}
