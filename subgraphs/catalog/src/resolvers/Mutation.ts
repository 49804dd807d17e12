import { notImplementedResolvers } from '@shop/graphql-kit';
import type { MutationResolvers } from '../generated/graphql.js';

// Catalog administration arrives with the commerce issue (#5).
export const Mutation: MutationResolvers = notImplementedResolvers([
  'createCategory',
  'updateCategory',
  'createProduct',
  'updateProduct',
  'deleteProduct',
]);
