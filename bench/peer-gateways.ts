// The gateways a team would otherwise pick, on our subgraphs, for `npm run bench`: plain
// @apollo/gateway (no cache) and Hive Gateway, plus a bare node:http server as the floor.
// Our subgraphs accept only gateway-signed identity, so each peer signs a token per request
// for the viewer the bench names in `x-bench-viewer` (our gateway does that work too, after
// checking real credentials).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { anonymousViewer, GATEWAY_TOKEN_HEADER, parseViewer, signGatewayToken } from '@shop/auth';
import type { KeyRing, SubgraphName } from '@shop/config';
import { loadSupergraph } from '../gateway/src/supergraph.js';

export const VIEWER_HEADER = 'x-bench-viewer';

export interface PeerOptions {
  subgraphUrls: Record<SubgraphName, string>;
  gatewayKeys: KeyRing;
}

export interface RunningPeer {
  url: string;
  stop(): Promise<void>;
}

const tokenFor = (keys: KeyRing, header: string | null | undefined) =>
  signGatewayToken(keys, { viewer: (header && parseViewer(JSON.parse(header))) || anonymousViewer, clientIp: null });

const listen = (server: Server, path: string) =>
  new Promise<RunningPeer>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}${path}`, stop: () => new Promise((done) => (server.close(() => done()), server.closeAllConnections())) });
    });
  });

export async function startPlainApolloGateway({ subgraphUrls, gatewayKeys }: PeerOptions): Promise<RunningPeer> {
  const gateway = new ApolloGateway({
    supergraphSdl: loadSupergraph().sdlForGateway,
    buildService: ({ name }) =>
      new RemoteGraphQLDataSource<{ viewerHeader?: string }>({
        url: subgraphUrls[name as SubgraphName],
        async willSendRequest({ request, context }) {
          request.http?.headers.set(GATEWAY_TOKEN_HEADER, await tokenFor(gatewayKeys, context.viewerHeader));
        },
      }),
  });
  const server = new ApolloServer<{ viewerHeader?: string }>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ viewerHeader: req.headers[VIEWER_HEADER] as string | undefined }),
  });
  return { url, stop: () => server.stop() };
}

export async function startHiveGateway({ subgraphUrls, gatewayKeys }: PeerOptions): Promise<RunningPeer> {
  let supergraph = loadSupergraph().sdlForGateway;
  for (const [name, url] of Object.entries(subgraphUrls)) {
    supergraph = supergraph.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*`), `$1${url}`);
  }
  const gateway = createGatewayRuntime({
    supergraph,
    logging: false,
    landingPage: false,
    graphiql: false,
    propagateHeaders: {
      fromClientToSubgraphs: async ({ request }) => ({ [GATEWAY_TOKEN_HEADER]: await tokenFor(gatewayKeys, request.headers.get(VIEWER_HEADER)) }),
    },
  });
  const running = await listen(createServer(gateway), '/graphql');
  return {
    url: running.url,
    stop: async () => {
      await running.stop();
      await gateway.dispose();
    },
  };
}

/** The floor for the cache-hit path: the same bytes from a server that does nothing else. */
export function startBareServer(body: string): Promise<RunningPeer> {
  const bytes = Buffer.from(body);
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
      response.end(bytes);
    });
  });
  return listen(server, '/graphql');
}
