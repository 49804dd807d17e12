import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/*
 * argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): memory-hard,
 * and about 30 ms a hash on the machines this runs on. See docs/adr/0005 for the measurement.
 */
// Algorithm.Argon2id; the package exports it as an ambient const enum, unusable under isolatedModules.
const ARGON2ID = 2;
const parameters = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, parameters);

/**
 * Checked against a real hash of a random password when the account does not exist, so
 * an unknown email costs the same time as a wrong password and tells an attacker nothing.
 */
const decoyHash = hashPassword(randomBytes(32).toString('base64url'));

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const matches = await verify(passwordHash ?? (await decoyHash), password).catch(() => false);
  return passwordHash !== null && matches;
}
