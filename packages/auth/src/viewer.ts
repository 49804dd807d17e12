export type Role = 'USER' | 'ADMIN' | 'PARTNER';
export const roles: readonly Role[] = ['USER', 'ADMIN', 'PARTNER'];

/** Who is calling, as established by the gateway. */
export type Viewer =
  | { kind: 'anonymous' }
  /** A person signed in with an access token; `sessionId` is the refresh-token family. */
  | { kind: 'user'; userId: string; role: Role; sessionId: string }
  /** A partner system calling with an API key on behalf of its owner account. */
  | { kind: 'partner'; apiKeyId: string; ownerId: string; scopes: string[] };

export const anonymousViewer: Viewer = { kind: 'anonymous' };

export const isAdmin = (viewer: Viewer) => viewer.kind === 'user' && viewer.role === 'ADMIN';

export const isSelf = (viewer: Viewer, userId: string) => viewer.kind === 'user' && viewer.userId === userId;

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Reads a viewer back from a token claim; anything malformed is null, never a guess. */
export function parseViewer(value: unknown): Viewer | null {
  if (typeof value !== 'object' || value === null) return null;
  const claim = value as Record<string, unknown>;
  switch (claim.kind) {
    case 'anonymous':
      return anonymousViewer;
    case 'user':
      return isString(claim.userId) && isString(claim.sessionId) && roles.includes(claim.role as Role)
        ? { kind: 'user', userId: claim.userId, role: claim.role as Role, sessionId: claim.sessionId }
        : null;
    case 'partner':
      return isString(claim.apiKeyId) && isString(claim.ownerId) && Array.isArray(claim.scopes) && claim.scopes.every(isString)
        ? { kind: 'partner', apiKeyId: claim.apiKeyId, ownerId: claim.ownerId, scopes: claim.scopes as string[] }
        : null;
    default:
      return null;
  }
}
