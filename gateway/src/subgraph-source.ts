import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GATEWAY_TOKEN_HEADER } from '@shop/auth';
import type { GatewayContext } from './context.js';
import { subgraphFetcher } from './subgraph-fetcher.js';

/**
 * A subgraph over HTTP that learns who is calling only from the gateway's signed token:
 * the client's own headers (Authorization, x-api-key, anything forged) are never forwarded.
 */
export class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string) {
    super({ url, fetcher: subgraphFetcher });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    request.http?.headers.set(GATEWAY_TOKEN_HEADER, await context.gatewayToken());
  }

  /** Takes the subgraph's cache report (what the answer holds, what it changed) for the response cache. */
  override async didReceiveResponse({ response, context }: { response: GatewayGraphQLResponse; context: GatewayContext }): Promise<GatewayGraphQLResponse> {
    context.cache.absorb(response.extensions);
    return response;
  }
}
