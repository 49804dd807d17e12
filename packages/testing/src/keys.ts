import { randomBytes } from 'node:crypto';
import type { KeyRing } from '@shop/config';

/** A key ring of its own for each test supergraph, so no token crosses from one to another. */
export function testKeyRing(kid = `test-${randomBytes(3).toString('hex')}`): KeyRing {
  const signing = { kid, secret: new Uint8Array(randomBytes(32)) };
  return { signing, verifying: new Map([[kid, signing]]) };
}
