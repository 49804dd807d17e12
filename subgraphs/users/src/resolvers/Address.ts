import type { AddressResolvers } from '../generated/graphql.js';
import { isDefaultAddress } from '../services/addresses.js';

export const Address: AddressResolvers = {
  isDefault: (address, _args, ctx) => isDefaultAddress(ctx, address),
};
