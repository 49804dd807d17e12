import type { ApiKeyResolvers } from '../generated/graphql.js';

export const ApiKey: ApiKeyResolvers = {
  prefix: (key) => key.keyPrefix,
  owner: async (key, _args, ctx) => (await ctx.loaders.userById.load(key.ownerId))!,
};
