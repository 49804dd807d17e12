import { describe, expect, it } from '@jest/globals';
import { addressLookup, checked, postalAddressSchema } from '@shop/contracts';

const address = { fullName: ' Ada Lovelace ', line1: '12 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'fr' };

describe('the postal address contract', () => {
  it('reads an address trimmed, with its country upper-cased and the optional fields null when left out or blank', () => {
    expect(checked(postalAddressSchema, { ...address, region: '  ', phone: null })).toEqual({
      ok: true,
      value: { fullName: 'Ada Lovelace', line1: '12 Rue de la Paix', line2: null, city: 'Paris', region: null, postalCode: '75002', country: 'FR', phone: null },
    });
  });

  it.each([
    ['fullName: cannot be empty', { ...address, fullName: '   ' }],
    ['line1: is longer than 200 characters', { ...address, line1: 'x'.repeat(201) }],
    ['city: Invalid input', { ...address, city: undefined }],
    ['postalCode: may hold letters, digits, spaces and hyphens only', { ...address, postalCode: '75002; DROP' }],
    ['country: must be an ISO 3166-1 alpha-2 country code', { ...address, country: 'FRA' }],
    ['country: must be an ISO 3166-1 alpha-2 country code', { ...address, country: 'XX' }],
    ['country: must be an ISO 3166-1 alpha-2 country code', { ...address, country: 'EU' }],
    ['phone: must be a phone number', { ...address, phone: 'call me' }],
  ])('refuses an address that breaks it, saying where: %s', (message, value) => {
    const read = checked(postalAddressSchema, value);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.message).toContain(message);
  });

  it('looks an address up by user and address id, and answers one or none', () => {
    const userId = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
    expect(checked(addressLookup.request, { userId, addressId: userId })).toEqual({ ok: true, value: { userId: userId.toLowerCase(), addressId: userId.toLowerCase() } });
    expect(checked(addressLookup.answer, { address: null })).toEqual({ ok: true, value: { address: null } });
    expect(checked(addressLookup.answer, { address: { ...address, country: 'ZZ' } }).ok).toBe(false);
  });
});
