import { badUserInput } from '@shop/errors';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isId = (value: string) => uuidPattern.test(value);

/** Ids are UUIDs; anything else is refused before it reaches the database. */
export function parseId(value: string, field = 'id'): string {
  if (!isId(value)) throw badUserInput(`${field} is not a valid id`, field);
  return value.toLowerCase();
}
