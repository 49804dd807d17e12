import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { LRUCache } from 'lru-cache';
import { anonymousViewer, internalClient, parseViewer, type Viewer } from '@shop/auth';
import type { KeyRing } from '@shop/config';
import { credentialCheck } from '@shop/contracts';
import { AppError, ErrorCode } from '@shop/errors';
import { upTo } from './bounded-lru.js';

const CREDENTIAL_CACHE_ENTRIES = 50_000;
/** Generous: under a burst, a slow answer beats refusing callers whose credentials are fine. */
const CHECK_TIMEOUT_MS = 10_000;

type Credential = { accessToken: string } | { apiKey: string };

const unauthenticated = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Reads the one credential a request may carry: a bearer access token or an API key. */
export function credentialOf(headers: IncomingHttpHeaders): Credential | null {
  const authorization = single(headers.authorization)?.trim();
  const apiKey = single(headers['x-api-key'])?.trim();
  if (authorization && apiKey) throw unauthenticated('Send either an access token or an API key, not both');
  if (apiKey) return { apiKey };
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthenticated('Authorization must be "Bearer <access token>"');
  return { accessToken: match[1]! };
}

export interface Authenticator {
  /** `requestId`: the request's, passed on to the users subgraph when its credential is checked. */
  viewerFor(headers: IncomingHttpHeaders, requestId?: string): Promise<Viewer>;
}

/**
 * Credentials are checked by the users subgraph, which owns accounts, sessions and keys;
 * the gateway only remembers the answer for `cacheMs` (CREDENTIAL_CACHE_MS), keyed by the
 * credential's hash. That bounds how late a revocation, a deactivation or a role change is
 * noticed, and saves a call to the users subgraph on nearly every request.
 */
export function createAuthenticator(usersUrl: string, gatewayKeys: KeyRing, cacheMs: number): Authenticator {
  const call = internalClient({ baseUrl: usersUrl, audience: 'users', keys: gatewayKeys, timeoutMs: CHECK_TIMEOUT_MS });
  const verdicts = new LRUCache<string, Promise<Viewer | null>>({ ...upTo(CREDENTIAL_CACHE_ENTRIES), ttl: cacheMs });

  async function check(credential: Credential, requestId: string | undefined): Promise<Viewer | null> {
    const answer = await call(credentialCheck, credential, { requestId }).catch(() => {
      // Neither a yes nor a no: the caller may retry; nothing about the credential is remembered.
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'Credentials could not be checked right now; retry shortly');
    });
    return answer.viewer === null ? null : parseViewer(answer.viewer);
  }

  return {
    async viewerFor(headers, requestId) {
      const credential = credentialOf(headers);
      if (!credential) return anonymousViewer;
      // One call, not a Hash object per request.
      const key = hash('sha256', JSON.stringify(credential), 'base64url');
      let verdict = verdicts.get(key);
      if (!verdict) {
        // Concurrent requests with one credential share a single check, with the first one's id.
        verdict = check(credential, requestId);
        verdicts.set(key, verdict);
        verdict.catch(() => verdicts.delete(key));
      }
      const viewer = await verdict;
      if (!viewer) throw unauthenticated('accessToken' in credential ? 'Invalid or expired access token' : 'Invalid or revoked API key');
      return viewer;
    },
  };
}
