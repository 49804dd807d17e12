import type { GraphQLResolveInfo } from 'graphql';
import { selectsAny } from '@shop/graphql-kit';

/** An order page whose reader wants the orders' lines (`items { items }`): read with the page then. */
export const selectsOrderLines = (info: GraphQLResolveInfo) => selectsAny(info, ['items'], ['items']);

/** A cart whose reader wants a price or an availability: its products are looked up at once then. */
export const selectsCartPrices = (info: GraphQLResolveInfo) => selectsAny(info, [], ['subtotal']) || selectsAny(info, ['items'], ['lineTotal', 'available']);
