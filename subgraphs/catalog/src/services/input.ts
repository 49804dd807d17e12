import { z } from 'zod';
import { compareDecimals, decimalPlaces, idInput, MAX_MONEY_AMOUNT, MONEY_SCALE, notNull, textInput } from '@shop/graphql-kit';

const MAX_SEARCH_TERMS = 8;

const nameInput = textInput(200).refine((text) => text !== '', 'cannot be empty');

const descriptionInput = textInput(5_000);

const nonNegativePrice = z.string().refine((price) => compareDecimals(price, '0') >= 0, 'cannot be negative');

const priceInput = nonNegativePrice
  .refine((price) => decimalPlaces(price) <= MONEY_SCALE, 'has at most two decimals')
  .refine((price) => compareDecimals(price, MAX_MONEY_AMOUNT) <= 0, `is above ${MAX_MONEY_AMOUNT}`);

const currencyInput = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

const stockQuantityInput = z.number().int('cannot be negative').min(0, 'cannot be negative');

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

const imageUrlInput = textInput(2_000).refine(isHttpUrl, 'must be an absolute http(s) URL');

/** Left-out optional fields take their defaults. */
export const createProductInput = z.object({
  name: nameInput,
  brand: nameInput,
  description: descriptionInput.nullish().transform((description) => description ?? ''),
  price: priceInput,
  currency: currencyInput.nullish().transform((currency) => currency ?? 'USD'),
  stockQuantity: stockQuantityInput.nullish().transform((quantity) => quantity ?? 0),
  imageUrl: imageUrlInput.nullish().transform((url) => url ?? null),
  isActive: z.boolean().nullish().transform((isActive) => isActive ?? true),
  categoryId: idInput.nullish().transform((id) => id ?? null),
});

/** Fields left out stay as they are; `description`, `imageUrl` and `categoryId` may be cleared with null. */
export const updateProductInput = z.object({
  name: notNull(nameInput).optional(),
  brand: notNull(nameInput).optional(),
  description: descriptionInput
    .nullable()
    .transform((description) => description ?? '')
    .optional(),
  price: notNull(priceInput).optional(),
  currency: notNull(currencyInput).optional(),
  stockQuantity: notNull(stockQuantityInput).optional(),
  imageUrl: imageUrlInput.nullable().optional(),
  isActive: notNull(z.boolean()).optional(),
  categoryId: idInput.nullable().optional(),
});

// The parent first: its problems are reported before the name's, as when it was checked first.
export const createCategoryInput = z.object({
  parentId: idInput.nullish().transform((id) => id ?? null),
  name: nameInput,
  description: descriptionInput.nullish().transform((description) => description ?? null),
});

/** Fields left out stay as they are; `parentId: null` makes the category a root, `description: null` clears it. */
export const updateCategoryInput = z.object({
  name: notNull(nameInput).optional(),
  description: descriptionInput.nullable().optional(),
  parentId: idInput.nullable().optional(),
});

export const productFilterInput = z
  .object({
    categoryId: idInput.nullish(),
    brand: textInput().nullish(),
    minPrice: nonNegativePrice.nullish(),
    maxPrice: nonNegativePrice.nullish(),
    search: textInput()
      .transform((search) => search.split(/\s+/).filter(Boolean))
      .refine((terms) => terms.length <= MAX_SEARCH_TERMS, `has more than ${MAX_SEARCH_TERMS} words`)
      .nullish(),
    inStock: z.boolean().nullish(),
    isActive: z.boolean().nullish(),
    updatedAfter: z.date().nullish(),
  })
  .refine(({ minPrice, maxPrice }) => minPrice == null || maxPrice == null || compareDecimals(minPrice, maxPrice) <= 0, {
    path: ['minPrice'],
    message: 'is above filter.maxPrice',
  });

/** Large enough for any delivery, small enough that no adjustment overflows the stock column. */
export const MAX_STOCK_DELTA = 1_000_000;

export const adjustStockInput = z
  .object({
    productId: idInput,
    delta: z
      .number()
      .int()
      .refine((delta) => delta !== 0, 'cannot be zero')
      .refine((delta) => Math.abs(delta) <= MAX_STOCK_DELTA, `is beyond ±${MAX_STOCK_DELTA}`),
    reason: z.enum(['RESTOCK', 'CORRECTION']),
    note: textInput(500)
      .nullish()
      .transform((note) => note || null),
  })
  .refine(({ reason, delta }) => reason !== 'RESTOCK' || delta > 0, { path: ['delta'], message: 'must be positive for a restock' });

export const lowStockThresholdInput = z.number().int().min(1, 'must be at least 1').max(MAX_STOCK_DELTA, `is above ${MAX_STOCK_DELTA}`);
