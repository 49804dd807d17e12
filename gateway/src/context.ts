import type { Viewer } from '@shop/auth';
import type { CacheRecorder } from './cache/recorder.js';

export interface GatewayContext {
  /** The request's id, which every fetch made for it carries (x-request-id). */
  requestId: string;
  viewer: Viewer;
  clientIp: string | null;
  /** What the response cache learns while this request executes. */
  cache: CacheRecorder;
}
