import { notImplementedResolvers } from '@shop/graphql-kit';
import type { MutationResolvers } from '../generated/graphql.js';

// Accounts, tokens and API keys arrive with the identity issue (#4).
export const Mutation: MutationResolvers = notImplementedResolvers([
  'register',
  'login',
  'refreshToken',
  'logout',
  'updateProfile',
  'setUserRole',
  'deactivateUser',
  'createApiKey',
  'revokeApiKey',
]);
