// The gateways a team would otherwise pick, on our subgraphs, for `npm run bench`: plain
// @apollo/gateway (no cache) and Hive Gateway, plus a bare node:http server as the floor.
// Our subgraphs accept only gateway-signed identity, so each peer signs a token per subgraph
// fetch, for that subgraph and body, for the viewer the bench names in `x-bench-viewer` (our
// gateway does that work too, after checking real credentials).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { anonymousViewer, GATEWAY_TOKEN_HEADER, parseViewer, postRequest, signGatewayToken } from '@shop/auth';
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

const tokenFor = (keys: KeyRing, viewerHeader: string | null | undefined, audience: SubgraphName, url: string, body: string) =>
  signGatewayToken(
    keys,
    { viewer: (viewerHeader && parseViewer(JSON.parse(viewerHeader))) || anonymousViewer, clientIp: null },
    { audience, request: postRequest(new URL(url), body) },
  );

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
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ viewerHeader: req.headers[VIEWER_HEADER] as string | undefined }),
  });
  return { url, stop: () => server.stop() };
}

export async function startHiveGateway({ subgraphUrls, gatewayKeys }: PeerOptions): Promise<RunningPeer> {
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
