import { createHash } from 'node:crypto';
import type { KeyRing, SubgraphName } from '@shop/config';
import { AppError, ErrorCode } from '@shop/errors';
import { signJwt, verifyJwt } from './jwt.js';
import { parseViewer, type Viewer } from './viewer.js';

/** The header that carries the gateway's signed statement of who is calling. */
export const GATEWAY_TOKEN_HEADER = 'x-gateway-token';

const ISSUER = 'shop-gateway';
/**
 * A subgraph checks the token when the request arrives, before executing it, so the token
 * needs to outlive only the send: a fetch queued on a busy connection pool and a body read
 * by a loaded subgraph, well under a second normally. Ten seconds is the longest any of our
 * service calls waits for the other side (the credential check, orders' stock calls): a
 * token still unread by then belongs to a call its sender has given up on.
 */
const LIFETIME_SECONDS = 10;

/** What a subgraph learns about a request: the caller and, for rate limits, its address. */
export interface RequestIdentity {
  viewer: Viewer;
  clientIp: string | null;
}

/** A request as the subgraph receives it: the method, the path with its query, the body's text. */
export interface SubgraphRequest {
  method: string;
  path: string;
  body: string;
}

/**
 * What one gateway token authorises: exactly one request, to one subgraph (`aud`). A token
 * copied off the wire cannot run another operation, call another endpoint or reach another
 * subgraph.
 */
export interface GatewayTokenScope {
  audience: SubgraphName;
  request: SubgraphRequest;
}

/** A JSON POST to `url`, as the receiving subgraph will see it. */
export const postRequest = (url: URL, body: string): SubgraphRequest => ({ method: 'POST', path: `${url.pathname}${url.search}`, body });

/** The `req` claim: the request's digest (a token is not secret from whoever holds it, so a plain hash binds it). */
const digestOf = ({ method, path, body }: SubgraphRequest) => createHash('sha256').update(`${method} ${path}\n`).update(body).digest('base64url');

export const signGatewayToken = (keys: KeyRing, identity: RequestIdentity, { audience, request }: GatewayTokenScope): string =>
  signJwt(keys, { issuer: ISSUER, audience }, { viewer: identity.viewer, ip: identity.clientIp, req: digestOf(request) }, LIFETIME_SECONDS);

const refused = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

/** Subgraphs accept requests from the gateway only, each with the token signed for it. */
export function verifyGatewayToken(keys: KeyRing, token: string | undefined, { audience, request }: GatewayTokenScope): RequestIdentity {
  if (!token) throw refused('This service accepts requests from the gateway only');
  const payload = verifyJwt(keys, { issuer: ISSUER, audience }, token, { maxAgeSeconds: LIFETIME_SECONDS, requiredClaims: ['req'] });
  if (!payload) throw refused('Invalid or expired gateway token');
  if (payload.req !== digestOf(request)) throw refused('This gateway token was issued for another request');
  const viewer = parseViewer(payload.viewer);
  if (!viewer) throw refused('Malformed gateway token');
  return { viewer, clientIp: typeof payload.ip === 'string' ? payload.ip : null };
}
