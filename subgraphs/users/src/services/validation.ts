import { z } from 'zod';
import { textInput } from '@shop/graphql-kit';

export const emailInput = z
  .string()
  .trim()
  .max(254, 'is longer than 254 characters')
  .pipe(z.email('is not a valid email address'))
  .transform((email) => email.toLowerCase());

export const usernameInput = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,30}$/, 'must be 3 to 30 letters, digits, _ . or -');

/** Long passphrases welcome; the upper bound keeps one hash from becoming a denial of service. */
export const passwordInput = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(128, 'must be at most 128 characters');

export const nameInput = textInput(100);

/**
 * Cost units an API key may spend per gateway budget window; null: the gateway's default
 * for API keys. The bounds are those of the gateway's COST_BUDGET_* settings.
 */
export const costBudgetInput = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1_000_000_000, 'must be at most 1,000,000,000')
  .nullish()
  .transform((budget) => budget ?? null);
