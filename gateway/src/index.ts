import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { SubgraphName } from '@shop/config';
import { maskUnexpectedErrors } from '@shop/errors';
import { startHttpServer, type RunningHttpServer } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import { allSubgraphsHealthy } from './health.js';
import { subgraphFetcher } from './subgraph-fetcher.js';

export const supergraphPath = new URL('../../schema/supergraph.graphql', import.meta.url);

export interface GatewayOptions {
  host: string;
  port: number;
  subgraphUrls: Record<SubgraphName, string>;
  logger: Logger;
}

/**
 * The gateway serves the supergraph composed in the repo (schema/supergraph.graphql): no
 * subgraph is introspected at run time, and each subgraph's URL comes from configuration.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningHttpServer> {
  const { logger, subgraphUrls } = options;
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ name }) =>
      new RemoteGraphQLDataSource({ url: subgraphUrls[name as SubgraphName], fetcher: subgraphFetcher }),
    logger,
  });
  const apollo = new ApolloServer({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: maskUnexpectedErrors((error) => logger.error({ err: error }, 'unexpected error')),
    plugins: [ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })],
  });
  await apollo.start();
  const http = await startHttpServer({
    apollo,
    context: async () => ({}),
    health: () => allSubgraphsHealthy(subgraphUrls),
    host: options.host,
    port: options.port,
    logger,
  });
  logger.info({ url: http.url }, 'gateway ready');
  return {
    ...http,
    stop: async () => {
      await http.stop();
      await apollo.stop();
    },
  };
}
