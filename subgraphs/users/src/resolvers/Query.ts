import type { QueryResolvers } from '../generated/graphql.js';
import { listKeys } from '../services/api-keys.js';
import { getMe, getUser, listUsers } from '../services/users.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => getMe(ctx),
  user: (_parent, { id }, ctx) => getUser(ctx, id),
  users: (_parent, args, ctx) => listUsers(ctx, args),
  apiKeys: (_parent, _args, ctx) => listKeys(ctx),
};
