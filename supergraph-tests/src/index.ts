// The whole-supergraph harness: the real subgraphs and gateway started together, callers
// signed in through them, orders placed. It re-exports the leaf test kit (@shop/testing) so a
// whole-supergraph test imports from one place.
export * from '@shop/testing';
export { startTestSupergraph, TEST_SYNC_SETTLE_MS, type RestartableSubgraph, type TestSupergraph, type TestSupergraphOptions } from './supergraph.js';
export { placeOrder, placementLedger, readEventFeed, stockOf, type PlacedOrder } from './commerce.js';
export { eventually, TEST_CREDENTIAL_CACHE_MS, withinCredentialCache } from './eventually.js';
export { startMailbox, type Mailbox } from './mailbox.js';
export { partnerWithKey, persistedRequest, signedInUser, signIn, type SignedIn } from './callers.js';
