import { z } from 'zod';
import { badUserInput } from '@shop/errors';

/**
 * Parses client input against a zod schema. The first problem becomes BAD_USER_INPUT, its
 * message the field's path and the schema's words ("input.price cannot be negative"), and
 * `extensions.field` the path (`prefix` for the value itself, `prefix.name` for a field,
 * `prefix[0].name` in a list).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = 'input'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = (issue?.path ?? []).reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : `${path}.${String(key)}`), prefix);
  throw badUserInput(`${field} ${issue?.message ?? 'is invalid'}`, field);
}

/** A field an update may leave out, but not set to null. */
export const notNull = <S extends z.ZodType>(schema: S) => z.custom<unknown>((value) => value !== null, 'cannot be null').pipe(schema);
