import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from '@shop/errors';
import { parseDecimal } from './decimal.js';

const decimalOutputPattern = /^-?\d+(\.\d+)?$/;

/**
 * Decimal travels as a string so no client or JSON parser rounds it through a float.
 * Output values are already formatted to their stored scale by the resolvers.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number, serialised as a string with its stored scale ("1199.99").',
  serialize(value) {
    if (typeof value === 'string' && decimalOutputPattern.test(value)) return value;
    throw new TypeError('Decimal cannot represent a non-decimal value');
  },
  parseValue: (value) => parseDecimal(value),
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.FLOAT || ast.kind === Kind.INT) return parseDecimal(ast.value);
    throw badUserInput('Decimal must be a string or a number');
  },
});

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value === 'string' && isoDateTime.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw badUserInput('DateTime must be an ISO-8601 string such as "2026-01-31T12:00:00Z"');
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant in UTC ("2026-01-31T12:00:00.000Z").',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    if (typeof value === 'string') return parseDateTime(value).toISOString();
    throw new TypeError('DateTime cannot represent a non-date value');
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return parseDateTime(ast.value);
    throw badUserInput('DateTime must be a string');
  },
});
