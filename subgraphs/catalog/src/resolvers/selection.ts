import type { GraphQLResolveInfo } from 'graphql';
import { selectsAny } from '@shop/graphql-kit';

/** A page whose reader wants its total: `meta.totalItems` or `meta.totalPages`. */
export const selectsPageTotal = (info: GraphQLResolveInfo) => selectsAny(info, ['meta'], ['totalItems', 'totalPages']);
