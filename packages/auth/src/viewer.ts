export type Role = 'USER' | 'ADMIN' | 'PARTNER';
export const roles: readonly Role[] = ['USER', 'ADMIN', 'PARTNER'];

/** Who is calling, as established by the gateway. */
export type Viewer =
  | { kind: 'anonymous' }
  /** A person signed in with an access token; `sessionId` is the refresh-token family. */
  | { kind: 'user'; userId: string; role: Role; sessionId: string }
  /**
   * A partner system calling with an API key on behalf of its owner account. `costBudget`:
   * the key's own budget per demand-control window; null: the gateway's default for API keys.
   */
  | { kind: 'partner'; apiKeyId: string; ownerId: string; scopes: string[]; costBudget: number | null };

export const anonymousViewer: Viewer = { kind: 'anonymous' };

export const isAdmin = (viewer: Viewer) => viewer.kind === 'user' && viewer.role === 'ADMIN';

export const isSelf = (viewer: Viewer, userId: string) => viewer.kind === 'user' && viewer.userId === userId;

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

const isCostBudget = (value: unknown): value is number | null =>
  value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value > 0);

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
    case 'partner': {
      // Claims signed before keys had budgets carry none: they mean the default.
      const costBudget = claim.costBudget === undefined ? null : claim.costBudget;
      return isString(claim.apiKeyId) &&
        isString(claim.ownerId) &&
        Array.isArray(claim.scopes) &&
        claim.scopes.every(isString) &&
        isCostBudget(costBudget)
        ? { kind: 'partner', apiKeyId: claim.apiKeyId, ownerId: claim.ownerId, scopes: claim.scopes as string[], costBudget }
        : null;
    }
    default:
      return null;
  }
}
