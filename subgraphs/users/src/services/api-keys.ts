import { apiKeyScopes, defaultApiKeyScopes } from '@shop/auth';
import { AppError, badUserInput, ErrorCode, notFound } from '@shop/errors';
import { boundedText, parseId, parseInput } from '@shop/graphql-kit';
import type { ApiKey } from '../generated/prisma/client.js';
import type { CreateApiKeyInput } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { createApiKey, findApiKeyById, listApiKeys, revokeApiKey, updateApiKeyCostBudget } from '../data/api-keys.js';
import { API_KEY_PREFIX, hashSecret, newSecret } from './tokens.js';
import { costBudgetInput } from './validation.js';

/** Enough of the key to tell keys apart in a list, far too little to guess the rest. */
const VISIBLE_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

export interface CreatedApiKey {
  key: string;
  apiKey: ApiKey;
}

function scopesFrom(requested: readonly string[] | null | undefined): string[] {
  const scopes = [...new Set(requested ?? defaultApiKeyScopes)];
  const unknown = scopes.filter((scope) => !apiKeyScopes.includes(scope));
  if (unknown.length > 0) {
    throw badUserInput(`input.scopes: ${unknown.join(', ')} cannot be given to an API key (allowed: ${apiKeyScopes.join(', ')})`, 'input.scopes');
  }
  return scopes;
}

/** Admins issue keys to active partner accounts; the key is returned here and never again. */
export async function issueApiKey(ctx: Context, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const name = boundedText(input.name, 'input.name', 100);
  if (name === '') throw badUserInput('input.name cannot be empty', 'input.name');
  const ownerId = parseId(input.ownerId, 'input.ownerId');
  const scopes = scopesFrom(input.scopes);
  const costBudget = parseInput(costBudgetInput, input.costBudget, 'input.costBudget');
  const owner = await ctx.loaders.userById.load(ownerId);
  if (!owner) throw notFound('input.ownerId: user');
  if (owner.role !== 'PARTNER' || !owner.isActive) {
    throw badUserInput('input.ownerId: API keys belong to active PARTNER accounts', 'input.ownerId');
  }
  const key = newSecret(API_KEY_PREFIX);
  const apiKey = await createApiKey(ctx.prisma, {
    name,
    keyPrefix: key.slice(0, VISIBLE_PREFIX_LENGTH),
    keyHash: hashSecret(key),
    ownerId,
    scopes,
    costBudget,
  });
  return { key, apiKey };
}

export const listKeys = (ctx: Context) => listApiKeys(ctx.prisma);

/** Effective at the gateway within its credential cache time (seconds). */
export async function revokeKey(ctx: Context, id: string): Promise<ApiKey> {
  const keyId = parseId(id);
  await revokeApiKey(ctx.prisma, keyId, new Date());
  const key = await findApiKeyById(ctx.prisma, keyId);
  if (!key) throw notFound('API key');
  return key;
}

/**
 * Effective at the gateway within its credential cache time (seconds). A revoked key is
 * refused rather than changed: it can never spend again, so a change to it is most likely
 * meant for the key that replaced it.
 */
export async function setKeyCostBudget(ctx: Context, id: string, costBudget: number | null | undefined): Promise<ApiKey> {
  const keyId = parseId(id);
  const budget = parseInput(costBudgetInput, costBudget, 'costBudget');
  const { count } = await updateApiKeyCostBudget(ctx.prisma, keyId, budget);
  const key = await findApiKeyById(ctx.prisma, keyId);
  if (!key) throw notFound('API key');
  if (count === 0) throw new AppError(ErrorCode.CONFLICT, 'This API key is revoked: its cost budget can no longer change');
  return key;
}
