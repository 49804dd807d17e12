import { randomBytes } from 'node:crypto';
import type { KeyRing } from '@shop/config';

/**
 * A key ring of its own for each test supergraph, so no token crosses from one to another.
 * Its secret is text, as in configuration, so a gateway process can be handed it.
 */
export function testKeyRing(kid = `test-${randomBytes(3).toString('hex')}`): KeyRing {
  const signing = { kid, secret: new TextEncoder().encode(randomBytes(32).toString('hex')) };
  return { signing, verifying: new Map([[kid, signing]]) };
}
