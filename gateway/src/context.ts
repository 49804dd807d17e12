import type { Viewer } from '@shop/auth';
import type { CacheRecorder } from './cache/recorder.js';

export interface GatewayContext {
  viewer: Viewer;
  clientIp: string | null;
  /** What the response cache learns while this request executes. */
  cache: CacheRecorder;
}
