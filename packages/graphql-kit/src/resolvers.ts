import { notImplemented } from '@shop/errors';

/**
 * Resolvers for contract operations that a later milestone serves: each answers with a
 * clear NOT_IMPLEMENTED error instead of being missing from the schema.
 */
export function notImplementedResolvers<Field extends string>(fields: readonly Field[]): Record<Field, () => never> {
  return Object.fromEntries(
    fields.map((field) => [
      field,
      () => {
        throw notImplemented(field);
      },
    ]),
  ) as Record<Field, () => never>;
}
