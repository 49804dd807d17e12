import type { KeyRing } from '@shop/config';
import { AppError, ErrorCode } from '@shop/errors';
import { signJwt, verifyJwt } from './jwt.js';
import { parseViewer, type Viewer } from './viewer.js';

/** The users subgraph's endpoint where the gateway turns a credential into a viewer. */
export const AUTHENTICATE_PATH = '/internal/authenticate';

/** The header that carries the gateway's signed statement of who is calling. */
export const GATEWAY_TOKEN_HEADER = 'x-gateway-token';

const purpose = { issuer: 'shop-gateway', audience: 'shop-subgraphs' };
/** Long enough for one operation's subgraph fetches, too short to be worth stealing. */
const LIFETIME_SECONDS = 60;

/** What a subgraph learns about a request: the caller and, for rate limits, its address. */
export interface RequestIdentity {
  viewer: Viewer;
  clientIp: string | null;
}

export const signGatewayToken = (keys: KeyRing, identity: RequestIdentity): Promise<string> =>
  signJwt(keys, purpose, { viewer: identity.viewer, ip: identity.clientIp }, LIFETIME_SECONDS);

const refused = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

/** Subgraphs accept requests from the gateway only. */
export async function verifyGatewayToken(keys: KeyRing, token: string | undefined): Promise<RequestIdentity> {
  if (!token) throw refused('This service accepts requests from the gateway only');
  const payload = await verifyJwt(keys, purpose, token, { maxTokenAgeSeconds: LIFETIME_SECONDS + 5 });
  if (!payload) throw refused('Invalid or expired gateway token');
  const viewer = parseViewer(payload.viewer);
  if (!viewer) throw refused('Malformed gateway token');
  return { viewer, clientIp: typeof payload.ip === 'string' ? payload.ip : null };
}
