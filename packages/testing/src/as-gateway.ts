import { anonymousViewer, GATEWAY_TOKEN_HEADER, postRequest, signGatewayToken, type Viewer } from '@shop/auth';
import type { KeyRing, SubgraphName } from '@shop/config';
import { graphQLBody, postGraphQL, type GraphQLRequest } from './client.js';

/** The header the gateway sends with a POST of exactly `body` to `url` on `subgraph`. */
export async function gatewayHeaders(keys: KeyRing, subgraph: SubgraphName, url: string, body: string, viewer: Viewer = anonymousViewer) {
  const request = postRequest(new URL(url), body);
  return { [GATEWAY_TOKEN_HEADER]: await signGatewayToken(keys, { viewer, clientIp: null }, { audience: subgraph, request }) };
}

/** Sends one operation to the subgraph `name` at `url`, signed with `keys` as the gateway signs it for `viewer`. */
export async function postToSubgraph<Data = Record<string, unknown>>(
  name: SubgraphName,
  url: string,
  keys: KeyRing,
  request: GraphQLRequest,
  viewer: Viewer = anonymousViewer,
) {
  const headers = { ...request.headers, ...(await gatewayHeaders(keys, name, url, graphQLBody(request), viewer)) };
  return postGraphQL<Data>(url, { ...request, headers });
}

/**
 * Sends one operation straight to a subgraph, signed as the gateway signs it for `viewer`
 * (with `keys` of another ring, as a forger would).
 */
export function postAsGateway<Data = Record<string, unknown>>(
  supergraph: { gatewayKeys: KeyRing } & Record<SubgraphName, { url: string }>,
  subgraph: SubgraphName,
  request: GraphQLRequest,
  { viewer = anonymousViewer, keys = supergraph.gatewayKeys }: { viewer?: Viewer; keys?: KeyRing } = {},
) {
  return postToSubgraph<Data>(subgraph, supergraph[subgraph].url, keys, request, viewer);
}
