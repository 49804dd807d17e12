export { anonymousViewer, isAdmin, isSelf, parseViewer, roles, type Role, type Viewer } from './viewer.js';
export { apiKeyScopes, defaultApiKeyScopes, Scope, scopesOf } from './scopes.js';
export { refusal, requireUser } from './guards.js';
export {
  accessRequirementsFromSdl,
  refusalFor,
  type AccessRefusal,
  type AccessRequirement,
  type AccessRequirements,
} from './requirements.js';
export {
  GATEWAY_TOKEN_HEADER,
  postRequest,
  signGatewayToken,
  verifyGatewayToken,
  type GatewayTokenScope,
  type RequestIdentity,
  type SubgraphRequest,
} from './gateway-token.js';
export { signJwt, verifyJwt, type JwtPayload, type TokenPurpose } from './jwt.js';
export { internalClient, InternalCallFailed, type InternalCallOptions, type InternalClient, type InternalClientOptions } from './internal-client.js';
