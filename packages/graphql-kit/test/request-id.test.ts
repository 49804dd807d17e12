import { describe, expect, it } from '@jest/globals';
import { requestIdFrom } from '../src/access-log.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it.each(['abc', 'lb-7f3a.91:c_1', 'A'.repeat(128), '0f8fad5b-d9cb-469f-a165-70867728950e'])('keeps the well-formed id %s', (incoming) => {
    expect(requestIdFrom(incoming)).toBe(incoming);
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'A'.repeat(129)],
    ['a space', 'two words'],
    ['a line break', 'id\n{"level":60}'],
    ['a quote', 'id"'],
    ['a slash', 'a/b'],
    ['non-ASCII', 'idé'],
  ])('replaces an id with %s by a fresh UUID', (_, incoming) => {
    expect(requestIdFrom(incoming)).toMatch(UUID);
  });

  it('makes a different UUID for each request without one', () => {
    const first = requestIdFrom(undefined);
    expect(first).toMatch(UUID);
    expect(requestIdFrom(undefined)).not.toBe(first);
  });

  it('takes the first of repeated headers, on the same terms', () => {
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    expect(requestIdFrom(['bad id', 'second'])).toMatch(UUID);
  });
});
