import { describe, expect, it } from '@jest/globals';
import { formatDecimal, multiplyDecimal, pageRequest, parseDecimal, sumDecimals } from '../src/index.js';

describe('decimals', () => {
  it('reads strings and numbers without float drift', () => {
    expect(parseDecimal('1199.99')).toBe('1199.99');
    expect(parseDecimal(19.99)).toBe('19.99');
    expect(parseDecimal(' 0.10 ')).toBe('0.1');
    expect(() => parseDecimal('1e3')).toThrow(/decimal/);
    expect(() => parseDecimal(Number.NaN)).toThrow(/finite/);
    expect(() => parseDecimal('12,50')).toThrow(/decimal/);
  });

  it('sums and multiplies exactly, at the stored scale', () => {
    expect(sumDecimals(['0.10', '0.20'], 2)).toBe('0.30');
    expect(sumDecimals(Array.from({ length: 1000 }, () => '1199.99'), 2)).toBe('1199990.00');
    expect(multiplyDecimal('19.99', 3, 2)).toBe('59.97');
    expect(formatDecimal('1199.9', 2)).toBe('1199.90');
  });
});

describe('page requests', () => {
  it('defaults, caps and refuses', () => {
    expect(pageRequest({})).toEqual({ page: 1, limit: 20, skip: 0 });
    expect(pageRequest({ page: 3, limit: 500 })).toEqual({ page: 3, limit: 100, skip: 200 });
    expect(() => pageRequest({ page: 0 })).toThrow(/page/);
  });
});
