import { notImplementedResolvers } from '@shop/graphql-kit';
import type { QueryResolvers } from '../generated/graphql.js';
import { getMe, getUser } from '../services/users.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => getMe(ctx),
  user: (_parent, { id }, ctx) => getUser(ctx, id),
  // Account administration arrives with the identity issue (#4).
  ...notImplementedResolvers(['users', 'apiKeys']),
};
