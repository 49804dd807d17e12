import type { Role, Viewer } from './viewer.js';

/**
 * The scopes that `@requiresScopes` in the subgraph SDL names. A person's scopes follow
 * from its role; a partner's are those of its API key.
 */
export const Scope = {
  /** Act as a signed-in account: profile, cart, own orders. */
  ACCOUNT: 'account',
  /** Administer the shop: every account, order, product and key. */
  ADMIN: 'admin',
  /** Read stock levels (granted to partner API keys). */
  STOCK_READ: 'stock:read',
} as const;

export type Scope = (typeof Scope)[keyof typeof Scope];

const roleScopes: Record<Role, readonly string[]> = {
  USER: [Scope.ACCOUNT],
  ADMIN: [Scope.ACCOUNT, Scope.ADMIN],
  PARTNER: [Scope.ACCOUNT],
};

/** The scopes an API key may be given: never a person's. */
export const apiKeyScopes: readonly string[] = [Scope.STOCK_READ];
export const defaultApiKeyScopes: readonly string[] = [Scope.STOCK_READ];

export function scopesOf(viewer: Viewer): readonly string[] {
  if (viewer.kind === 'user') return roleScopes[viewer.role];
  if (viewer.kind === 'partner') return viewer.scopes;
  return [];
}
