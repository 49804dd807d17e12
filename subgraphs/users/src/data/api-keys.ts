import type { UsersPrisma } from './client.js';

export interface NewApiKey {
  name: string;
  keyPrefix: string;
  keyHash: string;
  ownerId: string;
  scopes: string[];
  costBudget: number | null;
}

export const createApiKey = (prisma: UsersPrisma, key: NewApiKey) => prisma.apiKey.create({ data: key });

export const listApiKeys = (prisma: UsersPrisma) => prisma.apiKey.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });

export const findApiKeyById = (prisma: UsersPrisma, id: string) => prisma.apiKey.findUnique({ where: { id } });

export const findApiKeyByHash = (prisma: UsersPrisma, keyHash: string) =>
  prisma.apiKey.findUnique({ where: { keyHash }, include: { owner: true } });

/** Keeps a key's revocation time if it already had one: revoking twice changes nothing. */
export const revokeApiKey = (prisma: UsersPrisma, id: string, now: Date) =>
  prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });

/** Only a key that is not revoked: the count says whether one was changed. */
export const updateApiKeyCostBudget = (prisma: UsersPrisma, id: string, costBudget: number | null) =>
  prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { costBudget } });

export const touchApiKey = (prisma: UsersPrisma, id: string, now: Date) =>
  prisma.apiKey.update({ where: { id }, data: { lastUsedAt: now } });
