export { errorCodes, postGraphQL, type GraphQLRequest, type GraphQLResponse } from './client.js';
export { contractDir, contractFiles, contractOperation, readContract, type ContractFile } from './contract.js';
export { createTestDatabases, testBackends, type Backend, type TestDatabases } from './databases.js';
export { startTestSupergraph, type TestSupergraph } from './supergraph.js';
