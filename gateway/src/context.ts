import type { Viewer } from '@shop/auth';
import type { CacheRecorder } from './cache/recorder.js';

export interface GatewayContext {
  viewer: Viewer;
  clientIp: string | null;
  /** The signed identity for subgraph fetches, made once per request when first needed. */
  gatewayToken(): Promise<string>;
  /** What the response cache learns while this request executes. */
  cache: CacheRecorder;
}
