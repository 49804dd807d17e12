export { anonymousViewer, canReadStock, isAdmin, isSelf, type Role, type Viewer } from './viewer.js';
export { requireAdmin, requireUser } from './guards.js';
