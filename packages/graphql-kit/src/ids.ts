import { z } from 'zod';
import { parseInput } from './input.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isId = (value: string) => uuidPattern.test(value);

/** Ids are UUIDs, stored lower-case; anything else is refused before it reaches the database. */
export const idInput = z
  .string()
  .refine(isId, 'is not a valid id')
  .transform((id) => id.toLowerCase());

export const parseId = (value: string, field = 'id'): string => parseInput(idInput, value, field);
