import { hash } from 'node:crypto';
import type { Viewer } from '@shop/auth';
import { LRUCache } from 'lru-cache';

/** What identifies a GraphQL request's answer, apart from who asks. */
export interface CacheableRequest {
  /** The persisted query id, or the sha256 of the query text (the same value for one document). */
  documentId: string;
  /** Sent by id only, with no query text (what partners must do). */
  byIdOnly: boolean;
  /** The query text, when sent. */
  text: string | null;
  operationName: string;
  variables: string;
}

// One call, no Hash object: every request's keys are hashed, hits included.
const sha256 = (text: string) => hash('sha256', text, 'hex');

/**
 * Clients send the same few documents over and over: each one's text is hashed once. Bounded
 * by the texts' length, not their number: a body may hold a megabyte of query.
 */
const documentIds = new LRUCache<string, string>({ maxSize: 4 * 1024 * 1024, sizeCalculation: (_, text) => text.length + 64 });
function documentIdOf(text: string): string {
  let id = documentIds.get(text);
  if (id === undefined) documentIds.set(text, (id = sha256(text)));
  return id;
}

/** Variables with their keys sorted, so `{a,b}` and `{b,a}` share an answer. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function parseJsonParam(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return Symbol.for('invalid');
  }
}

/**
 * The parts of a GET or POST GraphQL request the answer depends on, or null for requests
 * the cache leaves alone (batches, malformed bodies: Apollo answers those itself).
 */
export function cacheableRequest(method: string, search: string, body: unknown): CacheableRequest | null {
  let fields: Record<string, unknown>;
  if (method === 'POST') {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    fields = body as Record<string, unknown>;
  } else if (method === 'GET') {
    const params = new URLSearchParams(search);
    fields = {
      query: params.get('query') ?? undefined,
      operationName: params.get('operationName') ?? undefined,
      variables: parseJsonParam(params.get('variables')),
      extensions: parseJsonParam(params.get('extensions')),
    };
  } else {
    return null;
  }
  const { query, operationName, variables, extensions } = fields;
  if (typeof variables === 'symbol' || typeof extensions === 'symbol') return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  const persistedId = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  const hasQuery = typeof query === 'string' && query !== '';
  let documentId: string;
  if (hasQuery) {
    documentId = documentIdOf(query);
    // A hash that does not match its text is Apollo's to refuse; never cache under either.
    if (persistedId !== undefined && persistedId !== documentId) return null;
  } else if (typeof persistedId === 'string' && /^[0-9a-f]{64}$/.test(persistedId)) {
    documentId = persistedId;
  } else {
    return null;
  }
  return { documentId, byIdOnly: !hasQuery, text: hasQuery ? (query as string) : null, operationName: (operationName as string | undefined) ?? '', variables: canonicalJson(variables ?? {}) };
}

/**
 * Whose answer a response is: shared answers are keyed by the request alone; private ones
 * also by the caller (and its role or scopes, which change what it may see). Administrators
 * see more than others, so they never read shared answers.
 */
export function cacheKeys(request: CacheableRequest, viewer: Viewer): { shared: string | null; caller: string | null } {
  const requestId = `${request.documentId}\u0000${request.operationName}\u0000${request.variables}`;
  const callerId =
    viewer.kind === 'user' ? `user:${viewer.userId}:${viewer.role}` : viewer.kind === 'partner' ? `key:${viewer.apiKeyId}:${[...viewer.scopes].sort().join(' ')}` : null;
  const admin = viewer.kind === 'user' && viewer.role === 'ADMIN';
  return {
    shared: admin ? null : `s:${sha256(requestId)}`,
    caller: callerId ? `p:${sha256(`${callerId}\u0000${requestId}`)}` : null,
  };
}
