import type { Viewer } from '@shop/auth';

export interface GatewayContext {
  viewer: Viewer;
  clientIp: string | null;
  /** The signed identity for subgraph fetches, made once per request when first needed. */
  gatewayToken(): Promise<string>;
}
