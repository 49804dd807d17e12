import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { KeyRing, RedisConfig, SubgraphName } from '@shop/config';

const READY_TIMEOUT_MS = 60_000;

export interface GatewayProcess {
  url: string;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  subgraphUrls: Record<SubgraphName, string>;
  gatewayKeys: KeyRing;
  redis: RedisConfig;
  eventPollMs: number;
  /** More configuration, as the environment spells it. */
  env?: Record<string, string>;
}

/** A key ring as GATEWAY_TOKEN_KEYS spells it (the test rings' secrets are text). */
const keyRingVariable = (keys: KeyRing) =>
  [...keys.verifying.values()].map((key) => `${key.kid}:${new TextDecoder().decode(key.secret)}`).join(',');

/**
 * The gateway as production runs it: `gateway/src/main.ts` in a Node process of its own,
 * configured by its environment only, on a port it picks and reports when ready.
 */
export function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const entry = new URL('./main.ts', `file://${createRequire(import.meta.url).resolve('@shop/gateway')}`).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      USERS_URL: options.subgraphUrls.users,
      CATALOG_URL: options.subgraphUrls.catalog,
      ORDERS_URL: options.subgraphUrls.orders,
      GATEWAY_TOKEN_KEYS: keyRingVariable(options.gatewayKeys),
      CACHE_EVENT_POLL_MS: String(options.eventPollMs),
      ...(options.redis.url ? { REDIS_URL: options.redis.url } : {}),
      REDIS_KEY_PREFIX: options.redis.keyPrefix,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`gateway process ${reason}:\n${output}`)));
    };
    const timer = setTimeout(() => fail('not ready in time'), READY_TIMEOUT_MS);
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = output.split('\n').find((line) => line.includes('"gateway ready"'));
      if (!ready) return;
      clearTimeout(timer);
      child.stdout!.off('data', onOutput);
      child.stdout!.resume();
      resolve({ url: (JSON.parse(ready) as { url: string }).url, stop });
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
}
