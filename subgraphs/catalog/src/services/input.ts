import { badUserInput } from '@shop/errors';
import { boundedText, compareDecimals, decimalPlaces } from '@shop/graphql-kit';

const MAX_NAME = 200;
const MAX_DESCRIPTION = 5_000;
const MAX_URL = 2_000;
/** NUMERIC(10,2). */
const MAX_PRICE = '99999999.99';

/** A field the schema lets a client omit on update, but not set to null. */
export function notNull<T>(value: T | null, field: string): T {
  if (value === null) throw badUserInput(`${field} cannot be null`, field);
  return value;
}

export function name(value: string, field: string): string {
  const text = boundedText(value, field, MAX_NAME);
  if (text === '') throw badUserInput(`${field} cannot be empty`, field);
  return text;
}

export const description = (value: string, field: string) => boundedText(value, field, MAX_DESCRIPTION);

export function price(value: string, field: string): string {
  if (compareDecimals(value, '0') < 0) throw badUserInput(`${field} cannot be negative`, field);
  if (decimalPlaces(value) > 2) throw badUserInput(`${field} has at most two decimals`, field);
  if (compareDecimals(value, MAX_PRICE) > 0) throw badUserInput(`${field} is above ${MAX_PRICE}`, field);
  return value;
}

export function currency(value: string, field: string): string {
  if (!/^[A-Z]{3}$/.test(value)) throw badUserInput(`${field} must be an ISO 4217 code such as USD`, field);
  return value;
}

export function stockQuantity(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0) throw badUserInput(`${field} cannot be negative`, field);
  return value;
}

export function imageUrl(value: string, field: string): string {
  const text = boundedText(value, field, MAX_URL);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUserInput(`${field} must be an absolute http(s) URL`, field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badUserInput(`${field} must be an absolute http(s) URL`, field);
  return text;
}
