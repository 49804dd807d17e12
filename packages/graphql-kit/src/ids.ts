import { isId } from '@shop/contracts';
import { badUserInput } from '@shop/errors';

export { isId };

/** Ids are UUIDs; anything else is refused before it reaches the database. */
export function parseId(value: string, field = 'id'): string {
  if (!isId(value)) throw badUserInput(`${field} is not a valid id`, field);
  return value.toLowerCase();
}
