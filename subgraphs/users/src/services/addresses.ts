import { isAdmin, isSelf, refusal, requireUser } from '@shop/auth';
import { postalAddressSchema, type PostalAddress } from '@shop/contracts';
import { AppError, ErrorCode, notFound } from '@shop/errors';
import { parseId, parseInput } from '@shop/graphql-kit';
import type { Address, User } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import type { UsersPrisma } from '../data/client.js';
import { accountGone } from './users.js';
import {
  countAddressesOf,
  createAddress,
  deleteAddressOf,
  findAddressesOf,
  findAddressOf,
  setDefaultAddressOf,
  updateAddressOf,
} from '../data/addresses.js';

/** Enough for home, work and a few others; a bound on what one account can make the shop store. */
export const MAX_ADDRESSES = 20;

const addressNotFound = () => notFound('Address');

/** A user's addresses, the default first, to the user itself and to admins. */
export async function addressesOf(ctx: Context, user: User): Promise<Address[]> {
  if (!isSelf(ctx.viewer, user.id) && !isAdmin(ctx.viewer)) throw refusal(ErrorCode.FORBIDDEN, "a user's addresses are the user's");
  const addresses = await findAddressesOf(ctx.prisma, user.id);
  return [...addresses.filter((address) => address.id === user.defaultAddressId), ...addresses.filter((address) => address.id !== user.defaultAddressId)];
}

export async function isDefaultAddress(ctx: Context, address: Address): Promise<boolean> {
  const owner = await ctx.loaders.userById.load(address.userId);
  return owner?.defaultAddressId === address.id;
}

/** The user's record holds its default: later fields of the same operation read it again. */
const defaultMayHaveChanged = (ctx: Context, userId: string) => ctx.loaders.userById.clear(userId);

/**
 * The cap is checked before the write, so two adds at once may pass it together: it bounds
 * what an account can store, it is not a rule a client relies on.
 */
export async function addAddress(ctx: Context, input: unknown, isDefault: boolean | null | undefined): Promise<Address> {
  const { userId } = requireUser(ctx.viewer);
  const address = parseInput(postalAddressSchema, input);
  if ((await countAddressesOf(ctx.prisma, userId)) >= MAX_ADDRESSES) {
    throw new AppError(ErrorCode.CONFLICT, `An account keeps at most ${MAX_ADDRESSES} addresses; remove one first`);
  }
  const created = await createAddress(ctx.prisma, userId, address, isDefault ?? false);
  if (!created) throw accountGone();
  defaultMayHaveChanged(ctx, userId);
  return created;
}

async function ownAddress(ctx: Context, userId: string, id: string): Promise<Address> {
  const address = await findAddressOf(ctx.prisma, userId, id);
  if (!address) throw addressNotFound();
  return address;
}

export async function updateAddress(ctx: Context, id: string, input: unknown): Promise<Address> {
  const { userId } = requireUser(ctx.viewer);
  const addressId = parseId(id);
  const address = parseInput(postalAddressSchema, input);
  const { count } = await updateAddressOf(ctx.prisma, userId, addressId, address);
  if (count === 0) throw addressNotFound();
  return ownAddress(ctx, userId, addressId);
}

export async function removeAddress(ctx: Context, id: string): Promise<boolean> {
  const { userId } = requireUser(ctx.viewer);
  const { count } = await deleteAddressOf(ctx.prisma, userId, parseId(id));
  if (count === 0) throw addressNotFound();
  defaultMayHaveChanged(ctx, userId);
  return true;
}

export async function setDefaultAddress(ctx: Context, id: string): Promise<Address> {
  const { userId } = requireUser(ctx.viewer);
  const addressId = parseId(id);
  const { count } = await setDefaultAddressOf(ctx.prisma, userId, addressId);
  if (count === 0) throw addressNotFound();
  defaultMayHaveChanged(ctx, userId);
  return ownAddress(ctx, userId, addressId);
}

/** For the orders subgraph (`addressLookup`): the fields an order keeps, or null when it is not this user's. */
export async function shippingAddressOf(prisma: UsersPrisma, userId: string, addressId: string): Promise<PostalAddress | null> {
  const address = await findAddressOf(prisma, userId, addressId);
  if (!address) return null;
  const { fullName, line1, line2, city, region, postalCode, country, phone } = address;
  return { fullName, line1, line2, city, region, postalCode, country, phone };
}
