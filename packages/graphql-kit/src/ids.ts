import { isId } from '@shop/contracts';
import { z } from 'zod';
import { parseInput } from './input.js';

export { isId };

/** Ids are UUIDs, stored lower-case; anything else is refused before it reaches the database. */
export const idInput = z
  .string()
  .refine(isId, 'is not a valid id')
  .transform((id) => id.toLowerCase());

export const parseId = (value: string, field = 'id'): string => parseInput(idInput, value, field);
