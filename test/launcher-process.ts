import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ANY_FREE_METRICS_PORTS, freePort } from '@shop/testing';

const repoRoot = new URL('..', import.meta.url).pathname;

export interface LauncherProcess {
  readonly child: ChildProcess;
  readonly gatewayPort: number;
  /** Where the notifications worker answers /live and /ready. */
  readonly notificationsPort: number;
  /** Everything it printed so far, its services' lines included. */
  output(): string;
  /** Kills whatever is left (by PID, its services too) and removes its data. */
  cleanUp(): Promise<void>;
}

/** Every service process the launcher said it started, by name (all of them without one), in order. */
export const startedPids = (output: string, name = '\\w+') =>
  [...output.matchAll(new RegExp(`\\[${name}\\] started \\(pid (\\d+)\\)`, 'g'))].map((match) => Number(match[1]));

export const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm start` as a newcomer runs it (scripts/start.ts), on free ports and a fresh DATA_DIR,
 * with nothing else in its environment but `env`; resolves once it prints that the supergraph is ready.
 */
export async function startLauncher(env: Record<string, string>, readyTimeoutMs: number): Promise<LauncherProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'supergraph-start-'));
  const [gatewayPort, users, catalog, orders, notificationsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      PORT: String(gatewayPort),
      USERS_PORT: String(users),
      CATALOG_PORT: String(catalog),
      ORDERS_PORT: String(orders),
      NOTIFICATIONS_PORT: String(notificationsPort),
      // Launchers of two test files may run at once: their metrics ports must not collide either.
      ...ANY_FREE_METRICS_PORTS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const cleanUp = async () => {
    for (const pid of [child.pid, ...startedPids(output)]) if (pid && isRunning(pid)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in time:\n${output}`)), readyTimeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Supergraph ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return { child, gatewayPort, notificationsPort, output: () => output, cleanUp };
}
