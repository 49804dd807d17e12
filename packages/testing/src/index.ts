export { errorCodes, postGraphQL, type GraphQLRequest, type GraphQLResponse } from './client.js';
export { contractDir, contractFiles, contractOperation, readContract, type ContractFile } from './contract.js';
export { createTestDatabases, testBackends, type Backend, type TestDatabases } from './databases.js';
export { testKeyRing } from './keys.js';
export { createTestRedis, sharedRedis, type TestRedis } from './redis.js';
export { type GatewayProcess } from './gateway-process.js';
export { startTestSupergraph, type RestartableSubgraph, type TestSupergraph, type TestSupergraphOptions } from './supergraph.js';
export { placeOrder, placementLedger, readEventFeed, stockOf, type PlacedOrder } from './commerce.js';
export { partnerWithKey, persistedRequest, signedInUser, signIn, type SignedIn } from './callers.js';
