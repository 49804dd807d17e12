export type Role = 'USER' | 'ADMIN' | 'PARTNER';

/** Who is calling, as established by the gateway. */
export type Viewer =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; role: Role }
  | { kind: 'partner'; apiKeyId: string; ownerId: string; scopes: string[] };

export const anonymousViewer: Viewer = { kind: 'anonymous' };

export const isAdmin = (viewer: Viewer) => viewer.kind === 'user' && viewer.role === 'ADMIN';

export const isSelf = (viewer: Viewer, userId: string) => viewer.kind === 'user' && viewer.userId === userId;

/** Stock levels are commercial data: admins manage them, partners resell on them. */
export const canReadStock = (viewer: Viewer) => isAdmin(viewer) || viewer.kind === 'partner';
