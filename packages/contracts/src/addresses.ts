import { z } from 'zod';
import { internalEndpoint } from './endpoint.js';
import { idSchema } from './values.js';

/**
 * A postal address as users saves it and orders keeps it: one schema, so that an address the
 * users subgraph accepted is one the orders subgraph accepts, and the other way round.
 */

/** Region codes ICU names that are not countries (ISO 3166-1 reserves them, or they are groupings). */
const notCountries = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** ISO 3166-1 alpha-2, any case in, upper case out ("fr" is "FR"). */
export const isCountryCode = (code: string) => /^[A-Z]{2}$/.test(code) && !notCountries.has(code) && regionNames.of(code) !== undefined;

const required = (maxLength: number) =>
  z.string().trim().min(1, 'cannot be empty').max(maxLength, `is longer than ${maxLength} characters`);

/** Absent, null and blank all mean "none": stored as null. */
const optional = (maxLength: number) =>
  z
    .string()
    .trim()
    .max(maxLength, `is longer than ${maxLength} characters`)
    .nullish()
    .transform((text) => (text ? text : null));

export const postalAddressSchema = z.object({
  fullName: required(100),
  line1: required(200),
  line2: optional(200),
  city: required(100),
  region: optional(100),
  postalCode: required(20).regex(/^[A-Za-z0-9 -]+$/, 'may hold letters, digits, spaces and hyphens only'),
  country: z
    .string()
    .trim()
    .transform((code) => code.toUpperCase())
    .refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code ("FR", "US")'),
  phone: optional(30).refine((phone) => phone === null || /^\+?[0-9 ().-]{3,30}$/.test(phone), 'must be a phone number (digits, spaces, + ( ) . -)'),
});

/** What a client sends (optional fields may be left out). */
export type PostalAddressInput = z.input<typeof postalAddressSchema>;
/** An address once read: trimmed, the country upper-cased, empty optional fields null. */
export type PostalAddress = z.output<typeof postalAddressSchema>;

/**
 * The users subgraph's endpoint where the orders subgraph reads a user's saved address to ship
 * an order to; null: no such address of that user's (another user's reads as none).
 */
export const addressLookup = internalEndpoint({
  path: '/internal/addresses/lookup',
  request: z.object({ userId: idSchema, addressId: idSchema }),
  answer: z.object({ address: postalAddressSchema.nullable() }),
});
