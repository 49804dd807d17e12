import type { UserResolvers } from '../generated/graphql.js';
import { addressesOf } from '../services/addresses.js';
import { emailFor, getUserReference, statusOf } from '../services/users.js';

export const User: UserResolvers = {
  __resolveReference: (reference, ctx) => getUserReference(ctx, reference.id),
  email: (user, _args, ctx) => emailFor(ctx, user),
  status: (user) => statusOf(user),
  addresses: (user, _args, ctx) => addressesOf(ctx, user),
};
