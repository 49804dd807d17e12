import { formatDecimal, multiplyDecimal, type DecimalLike } from '@shop/graphql-kit';

/** Order amounts are NUMERIC with two decimals. */
const MONEY_SCALE = 2;

export const money = (amount: DecimalLike, currency: string) => ({
  amount: formatDecimal(amount, MONEY_SCALE),
  currency,
});

export const lineTotal = (unitPrice: DecimalLike, quantity: number, currency: string) => ({
  amount: multiplyDecimal(unitPrice, quantity, MONEY_SCALE),
  currency,
});
