import { formatDecimal, multiplyDecimal, sumDecimals, type DecimalLike } from './decimal.js';

/** Every amount is stored as NUMERIC(10,2) (docs/adr/0004): two decimals, read as "1199.90". */
export const MONEY_SCALE = 2;

/** The largest amount NUMERIC(10,2) holds. */
export const MAX_MONEY_AMOUNT = '99999999.99';

export type Amount = DecimalLike | string;

export const formatMoney = (amount: Amount) => formatDecimal(amount, MONEY_SCALE);

export const multiplyMoney = (amount: Amount, factor: number) => multiplyDecimal(amount, factor, MONEY_SCALE);

export const sumMoney = (amounts: Amount[]) => sumDecimals(amounts, MONEY_SCALE);

/** The schema's `Money`: the amount with its two decimals, and the currency. */
export const money = (amount: Amount, currency: string) => ({ amount: formatMoney(amount), currency });
