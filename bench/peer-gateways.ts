// The gateways a team would otherwise pick, on our subgraphs, for `npm run bench`: plain
// @apollo/gateway (no cache) and Hive Gateway, plus a bare node:http server as the floor.
// Our subgraphs accept only gateway-signed identity, so each peer signs a token per subgraph
// fetch, for that subgraph and body, for the viewer the bench names in `x-bench-viewer` (our
// gateway does that work too, after checking real credentials).
// Each runs in a process of its own, as the bench starts it:
//   node --import tsx bench/peer-gateways.ts '<PeerProcessSpec as JSON>'   (prints READY when listening)
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { anonymousViewer, GATEWAY_TOKEN_HEADER, parseViewer, postRequest, signGatewayToken } from '@shop/auth';
import { gatewayTokenSchema, parseConfig, type KeyRing, type SubgraphName } from '@shop/config';
import { loadSupergraph } from '../gateway/src/supergraph.js';

export const VIEWER_HEADER = 'x-bench-viewer';

export interface PeerOptions {
  subgraphUrls: Record<SubgraphName, string>;
  gatewayKeys: KeyRing;
  port: number;
}

export interface RunningPeer {
  url: string;
  stop(): Promise<void>;
}

const tokenFor = (keys: KeyRing, viewerHeader: string | null | undefined, audience: SubgraphName, url: string, body: string) =>
  signGatewayToken(
    keys,
    { viewer: (viewerHeader && parseViewer(JSON.parse(viewerHeader))) || anonymousViewer, clientIp: null },
    { audience, request: postRequest(new URL(url), body) },
  );

const listen = (server: Server, path: string, port: number) =>
  new Promise<RunningPeer>((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}${path}`, stop: () => new Promise((done) => (server.close(() => done()), server.closeAllConnections())) });
    });
  });

export async function startPlainApolloGateway({ subgraphUrls, gatewayKeys, port }: PeerOptions): Promise<RunningPeer> {
  const gateway = new ApolloGateway({
    supergraphSdl: loadSupergraph().sdlForGateway,
    buildService: ({ name }) =>
      new RemoteGraphQLDataSource<{ viewerHeader?: string }>({
        url: subgraphUrls[name as SubgraphName],
        async willSendRequest({ request, context }) {
          const { http, ...withoutHttp } = request;
          if (!http) return;
          // The body RemoteGraphQLDataSource sends: the query first, then the rest but `http`.
          const body = JSON.stringify({ query: request.query, ...withoutHttp });
          http.headers.set(GATEWAY_TOKEN_HEADER, await tokenFor(gatewayKeys, context.viewerHeader, name as SubgraphName, http.url, body));
        },
      }),
  });
  const server = new ApolloServer<{ viewerHeader?: string }>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: async ({ req }) => ({ viewerHeader: req.headers[VIEWER_HEADER] as string | undefined }),
  });
  return { url, stop: () => server.stop() };
}

export async function startHiveGateway({ subgraphUrls, gatewayKeys, port }: PeerOptions): Promise<RunningPeer> {
  // Loaded here: a process running only Apollo Gateway (bench:cache-hits' memory reference) must not hold it.
  const { createGatewayRuntime } = await import('@graphql-hive/gateway');
  let supergraph = loadSupergraph().sdlForGateway;
  for (const [name, url] of Object.entries(subgraphUrls)) {
    supergraph = supergraph.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*`), `$1${url}`);
  }
  const subgraphAt = new Map(Object.entries(subgraphUrls).map(([name, url]) => [url, name as SubgraphName]));
  const gateway = createGatewayRuntime({
    supergraph,
    logging: false,
    landingPage: false,
    graphiql: false,
    // Hive shares identical subgraph fetches in flight, keyed by URL, body and propagated
    // headers; the token is added later (onFetch), so the viewer goes along as a header, or
    // one shopper's `Me` would be answered with another's.
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ [VIEWER_HEADER]: request.headers.get(VIEWER_HEADER) ?? '' }) },
    plugins: () => [
      {
        async onFetch({ url, options, setOptions, context }) {
          const audience = subgraphAt.get(url);
          if (!audience || typeof options.body !== 'string' || !('request' in context)) return;
          const token = await tokenFor(gatewayKeys, context.request.headers.get(VIEWER_HEADER), audience, url, options.body);
          setOptions({ ...options, headers: { ...(options.headers as Record<string, string>), [GATEWAY_TOKEN_HEADER]: token } });
        },
      },
    ],
  });
  const running = await listen(createServer(gateway), '/graphql', port);
  return {
    url: running.url,
    stop: async () => {
      await running.stop();
      await gateway.dispose();
    },
  };
}

/**
 * The floor for the cache-hit path: the same bytes from a server that does nothing else. With
 * `byBody`, the answer depends on the request's body (a JSON object, body to answer), so the
 * server reads each body, as a cache must to know its answer.
 */
export function startBareServer(answers: string, port: number, byBody = false): Promise<RunningPeer> {
  const single = Buffer.from(answers);
  const answerOf = byBody ? new Map(Object.entries(JSON.parse(answers) as Record<string, string>).map(([body, answer]) => [body, Buffer.from(answer)])) : undefined;
  const notFound = Buffer.from('{"errors":[{"message":"no such request"}]}');
  const send = (response: ServerResponse, bytes: Buffer, status = 200) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
    response.end(bytes);
  };
  const server = createServer((request, response) => {
    if (!answerOf) {
      request.resume();
      request.on('end', () => send(response, single));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = answerOf.get(Buffer.concat(chunks).toString('utf8'));
      if (answer) send(response, answer);
      else send(response, notFound, 404);
    });
  });
  return listen(server, '/graphql', port);
}

/** What a peer process runs: which peer, its port, and the subgraphs and keys (or, for the bare server, the file of bytes it sends, or of the answer to each body). */
export type PeerProcessSpec =
  | { peer: 'apollo' | 'hive'; port: number; subgraphUrls: Record<SubgraphName, string>; gatewayKeys: string }
  | { peer: 'bare'; port: number; bodyFile: string }
  | { peer: 'bare'; port: number; answersFile: string };

async function runPeerProcess(spec: PeerProcessSpec): Promise<void> {
  let running: RunningPeer;
  if (spec.peer === 'bare') {
    running = 'answersFile' in spec ? await startBareServer(readFileSync(spec.answersFile, 'utf8'), spec.port, true) : await startBareServer(readFileSync(spec.bodyFile, 'utf8'), spec.port);
  } else {
    const options = {
      subgraphUrls: spec.subgraphUrls,
      gatewayKeys: parseConfig(gatewayTokenSchema, { NODE_ENV: 'production', HOST: '127.0.0.1', GATEWAY_TOKEN_KEYS: spec.gatewayKeys }),
      port: spec.port,
    };
    running = spec.peer === 'apollo' ? await startPlainApolloGateway(options) : await startHiveGateway(options);
  }
  process.once('SIGTERM', () => void running.stop().finally(() => process.exit(0)));
  console.log('READY');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runPeerProcess(JSON.parse(process.argv[2] ?? '{}') as PeerProcessSpec);
