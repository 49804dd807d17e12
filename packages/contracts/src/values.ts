import { z } from 'zod';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs, in either case. */
export const isId = (value: string) => uuidPattern.test(value);

/** An entity id as the databases store it: a UUID, in lower case. */
export const idSchema = z
  .string()
  .refine(isId, 'must be a UUID')
  .transform((id) => id.toLowerCase());

/** An amount of money as a decimal string with its stored scale (`"1199.99"`), never a float. */
export const decimalSchema = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string');

/** A position in an event feed: a bigint as a decimal string. */
export const sequenceSchema = z.string().regex(/^\d{1,19}$/, 'must be a sequence number (digits)');
