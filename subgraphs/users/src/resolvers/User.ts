import type { UserResolvers } from '../generated/graphql.js';
import { emailFor, getUserReference } from '../services/users.js';

export const User: UserResolvers = {
  __resolveReference: (reference, ctx) => getUserReference(ctx, reference.id),
  email: (user, _args, ctx) => emailFor(ctx, user),
};
