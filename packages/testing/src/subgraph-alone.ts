import { randomUUID } from 'node:crypto';
import type { Role, Viewer } from '@shop/auth';
import { parseConfig, subgraphLimitsSchema, type KeyRing, type SubgraphName } from '@shop/config';
import { createLogger } from '@shop/logging';
import { postToSubgraph } from './as-gateway.js';
import { createTestPglite } from './databases.js';
import { errorCodes, type GraphQLRequest, type GraphQLResponse } from './client.js';

export { gatewayHeaders } from './as-gateway.js';
export { errorCodes, graphQLBody, postGraphQL, type GraphQLResponse } from './client.js';
export { createTestPglite, type TestPglite } from './databases.js';
export { testKeyRing } from './keys.js';
import { testKeyRing } from './keys.js';

/**
 * The subgraph-level tier's kit: what any subgraph's start function needs to serve alone in
 * the test's process (a fresh PGlite database, a free port, production's limits, keys of its
 * own), and a client that calls it as the gateway does. It imports no service, so a
 * subgraph's tests load that subgraph only. `dropDatabase` removes the database's files once
 * the subgraph has stopped.
 */
export async function aloneSubgraph(name: SubgraphName) {
  const database = await createTestPglite();
  const options = {
    database: database.config,
    migrate: true,
    gatewayKeys: testKeyRing(),
    limits: parseConfig(subgraphLimitsSchema, {}),
    host: '127.0.0.1',
    port: 0,
    logger: createLogger(`test-${name}`, 'error'),
  };
  return { options, dropDatabase: database.drop };
}

/** Operations to the subgraph `name` serving at `url`, each signed as the gateway would sign it for `viewer`. */
export function asGatewayTo(name: SubgraphName, { url, keys }: { url: string; keys: KeyRing }) {
  return <Data = Record<string, unknown>>(request: GraphQLRequest, viewer?: Viewer) => postToSubgraph<Data>(name, url, keys, request, viewer);
}

/** A signed-in person as the gateway names one (no account needed: subgraphs trust the gateway's word). */
export const personViewer = (role: Role = 'USER', userId: string = randomUUID()) =>
  ({ kind: 'user', userId, role, sessionId: randomUUID() }) satisfies Viewer;

/** `_entities` as the gateway sends it: representations of one type, the fields it wants from this subgraph. */
export const entitiesQuery = (typename: string, selection: string) =>
  `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} ${selection} } }`;

/**
 * What a refused operation left: no data, and the codes of its errors. A subgraph answers such
 * an execution error with HTTP 200; the gateway gives the client the code's status.
 */
export const refusalOf = (response: GraphQLResponse<unknown>) => ({ data: response.data ?? null, codes: errorCodes(response) });

/** How a subgraph answered at its door: HTTP status, data and error codes. */
export const doorAnswer = (response: GraphQLResponse<unknown>) => ({ status: response.status, ...refusalOf(response) });

/** A caller that is not the gateway gets this from every subgraph, whatever it sends. */
export const TURNED_AWAY = { status: 401, data: null, codes: ['UNAUTHENTICATED'] };
