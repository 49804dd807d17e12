import type { Viewer } from '@shop/auth';
import type { SubgraphName } from '@shop/config';
import type { CacheRecorder } from './cache/recorder.js';
import type { PassthroughSlot } from './passthrough/index.js';
import type { SubgraphAnswer } from './subgraph-client.js';

export interface GatewayContext {
  /** The request's id, which every fetch made for it carries (x-request-id). */
  requestId: string;
  viewer: Viewer;
  clientIp: string | null;
  /** What the response cache learns while this request executes. */
  cache: CacheRecorder;
  /** Where the single-fetch passthrough leaves the subgraph's data for the answer (docs/adr/0048). */
  passthrough: PassthroughSlot;
  /** A root fetch sent before Apollo's executor ran, for it to take rather than send again (docs/adr/0048). */
  fetchedAhead?: { subgraph: SubgraphName; body: string; answer: Promise<SubgraphAnswer> };
}
