import type { Viewer } from '@shop/auth';
import type { CacheRecorder } from './cache/recorder.js';
import type { RequestObservation } from './metrics.js';

export interface GatewayContext {
  viewer: Viewer;
  clientIp: string | null;
  /** What the response cache learns while this request executes. */
  cache: CacheRecorder;
  /** What the metrics learn while this request executes. */
  metrics: RequestObservation;
}
