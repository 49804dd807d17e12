import type { KeyRing, NatsConfig, RedisConfig, SubgraphName } from '@shop/config';
import { natsVariables } from './nats.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

export type GatewayProcess = ServiceProcess;

export interface GatewayProcessOptions {
  subgraphUrls: Record<SubgraphName, string>;
  gatewayKeys: KeyRing;
  redis: RedisConfig;
  /** The stream the cache reads events from; null or absent: the subgraphs' HTTP feeds. */
  nats?: NatsConfig | null;
  eventPollMs: number;
  /** More configuration, as the environment spells it. */
  env?: Record<string, string>;
}

/** A key ring as GATEWAY_TOKEN_KEYS spells it (the test rings' secrets are text). */
export const keyRingVariable = (keys: KeyRing) =>
  [...keys.verifying.values()].map((key) => `${key.kid}:${new TextDecoder().decode(key.secret)}`).join(',');

/** The gateway as production runs it, in a process of its own, on a port it picks, in front of the given subgraphs. */
export function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  return startServiceProcess({
    service: 'gateway',
    env: {
      PORT: '0',
      USERS_URL: options.subgraphUrls.users,
      CATALOG_URL: options.subgraphUrls.catalog,
      ORDERS_URL: options.subgraphUrls.orders,
      GATEWAY_TOKEN_KEYS: keyRingVariable(options.gatewayKeys),
      CACHE_EVENT_POLL_MS: String(options.eventPollMs),
      ...(options.redis.url ? { REDIS_URL: options.redis.url } : {}),
      REDIS_KEY_PREFIX: options.redis.keyPrefix,
      REDIS_COMMAND_TIMEOUT_MS: String(options.redis.commandTimeoutMs),
      REDIS_CONNECT_TIMEOUT_MS: String(options.redis.connectTimeoutMs),
      ...(options.nats ? natsVariables(options.nats) : {}),
      ...options.env,
    },
  });
}

/**
 * Resolves once the gateway at `graphqlUrl` reports (on its /ready) that its Redis takes
 * commands: a gateway starts without waiting past its connect timeout, and a test of what
 * instances share through Redis needs it connected first.
 */
export async function untilGatewayUsesRedis(graphqlUrl: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const redisState = () =>
    fetch(new URL('/ready', graphqlUrl)).then(
      async (response) => ((await response.json()) as { checks?: { redis?: string } }).checks?.redis,
      () => undefined,
    );
  while ((await redisState()) !== 'ready') {
    if (Date.now() > deadline) throw new Error(`the gateway at ${graphqlUrl} did not use its Redis within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
