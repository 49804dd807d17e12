import { Decimal } from 'decimal.js';
import { badUserInput } from '@shop/errors';

const decimalPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Anything with the decimal.js surface, such as Prisma's Decimal. */
export interface DecimalLike {
  toFixed(decimalPlaces: number): string;
}

/**
 * Canonical decimal string from client input (a string or a JSON number). Numbers are
 * read through their shortest decimal representation, so 19.99 stays 19.99.
 */
export function parseDecimal(value: unknown, field = 'value'): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badUserInput(`${field} must be a finite decimal number`, field);
    return new Decimal(value).toFixed();
  }
  if (typeof value === 'string' && decimalPattern.test(value.trim())) {
    return new Decimal(value.trim()).toFixed();
  }
  throw badUserInput(`${field} must be a decimal number, as a string such as "19.99" or a number`, field);
}

export function decimalPlaces(value: string): number {
  return new Decimal(value).decimalPlaces();
}

export function compareDecimals(a: string, b: string): number {
  return new Decimal(a).comparedTo(b);
}

/** The stored value with exactly the column's scale: NUMERIC(10,2) 1199.9 reads "1199.90". */
export function formatDecimal(value: DecimalLike | string, scale: number): string {
  return typeof value === 'string' ? new Decimal(value).toFixed(scale) : value.toFixed(scale);
}

/** Exact sum of decimals, formatted to the given scale. */
export function sumDecimals(values: Array<DecimalLike | string>, scale: number): string {
  return values
    .reduce<Decimal>((sum, value) => sum.plus(typeof value === 'string' ? value : value.toFixed(scale)), new Decimal(0))
    .toFixed(scale);
}

export function multiplyDecimal(value: DecimalLike | string, factor: number, scale: number): string {
  return new Decimal(typeof value === 'string' ? value : value.toFixed(scale)).times(factor).toFixed(scale);
}
