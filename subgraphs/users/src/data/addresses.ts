import { EventTopic, type PostalAddress } from '@shop/contracts';
import { noteChange } from '@shop/db';
import type { UsersPrisma } from './client.js';

// A user's addresses are read within the user's answers: a change purges the user's entries.
const addressesChanged = (userId: string) => noteChange({ topic: EventTopic.USER_CHANGED, payload: { userId } });

export const findAddressesOf = (prisma: UsersPrisma, userId: string) =>
  prisma.address.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });

/** Null for an address that is not this user's: another user's reads as none. */
export const findAddressOf = (prisma: UsersPrisma, userId: string, id: string) => prisma.address.findFirst({ where: { id, userId } });

export const countAddressesOf = (prisma: UsersPrisma, userId: string) => prisma.address.count({ where: { userId } });

/**
 * The address, and the user's default set to it when asked or when the user had none; null when
 * the account is no longer active. The account's row is held (FOR SHARE) first: a deletion
 * erasing its addresses either waits for this one to commit, then erases it too, or commits
 * first and this finds the account gone (docs/adr/0035).
 */
export const createAddress = (prisma: UsersPrisma, userId: string, address: PostalAddress, makeDefault: boolean) =>
  prisma.$transaction(async (tx) => {
    const owner = await tx.$queryRaw<unknown[]>`SELECT id FROM users WHERE id = ${userId}::uuid AND is_active FOR SHARE`;
    if (owner.length === 0) return null;
    addressesChanged(userId);
    const created = await tx.address.create({ data: { ...address, userId } });
    await tx.user.updateMany({
      where: { id: userId, ...(makeDefault ? {} : { defaultAddressId: null }) },
      data: { defaultAddressId: created.id },
    });
    return created;
  });

/** Only the user's own address: the count says whether there was one. */
export function updateAddressOf(prisma: UsersPrisma, userId: string, id: string, address: PostalAddress) {
  addressesChanged(userId);
  return prisma.address.updateMany({ where: { id, userId }, data: address });
}

/** Only the user's own address; the user's default, if it was this one, is cleared by the foreign key. */
export function deleteAddressOf(prisma: UsersPrisma, userId: string, id: string) {
  addressesChanged(userId);
  return prisma.address.deleteMany({ where: { id, userId } });
}

/** Only to the user's own address, checked in the same statement: the count says whether it was. */
export function setDefaultAddressOf(prisma: UsersPrisma, userId: string, id: string) {
  addressesChanged(userId);
  return prisma.user.updateMany({ where: { id: userId, addresses: { some: { id } } }, data: { defaultAddressId: id } });
}
