import { request as httpRequest, Agent } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { createLogger } from '@shop/logging';
import { startHttpServer, type RunningHttpServer } from '../src/http-server.js';

const DRAIN_MS = 5_000;

async function startServer(): Promise<RunningHttpServer> {
  const apollo = new ApolloServer({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } });
  await apollo.start();
  return startHttpServer({
    apollo,
    context: async () => ({}),
    readiness: async () => ({ ready: true, checks: {} }),
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('stop-test', 'silent'),
    accessLog: false,
  });
}

/** Asks once over `agent`, which keeps a kept-alive connection open afterwards. */
function askForHeaders(server: RunningHttpServer, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(server.url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify({ query: '{ ok }' }));
  });
}

async function ask(server: RunningHttpServer, agent: Agent): Promise<number> {
  return (await askForHeaders(server, agent)).status;
}

async function timedStop(server: RunningHttpServer): Promise<number> {
  const startedAt = performance.now();
  await server.stop({ drainMs: DRAIN_MS });
  return performance.now() - startedAt;
}

describe('stopping the HTTP server with a drain', () => {
  const agents: Agent[] = [];
  afterEach(() => agents.splice(0).forEach((agent) => agent.destroy()));

  it('stops at once when no connection is open', async () => {
    const server = await startServer();
    const agent = new Agent({ keepAlive: false });
    agents.push(agent);
    expect(await ask(server, agent)).toBe(200);

    expect(await timedStop(server)).toBeLessThan(500);
  });

  it('keeps an idle kept-alive connection for a grace, then closes it well within the drain', async () => {
    const server = await startServer();
    const agent = new Agent({ keepAlive: true });
    agents.push(agent);
    expect(await ask(server, agent)).toBe(200);

    const stopMs = await timedStop(server);
    expect(stopMs).toBeGreaterThanOrEqual(900);
    expect(stopMs).toBeLessThan(DRAIN_MS);
  });

  it('answers, with Connection: close, a request that arrives on a kept-alive connection during the grace', async () => {
    const server = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    expect(await ask(server, agent)).toBe(200);

    const stopped = timedStop(server);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await askForHeaders(server, agent);

    expect(answer).toEqual({ status: 200, connection: 'close' });
    expect(await stopped).toBeLessThan(DRAIN_MS);
  });
});
