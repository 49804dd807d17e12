/**
 * Runs `check` (assertions) until it passes or `timeoutMs` is over, then throws its last failure:
 * for what reaches the gateway within a bound rather than at once (a revocation within the
 * credential cache time, an event's effect).
 */
export async function eventually(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The gateway's credential cache time in suites that wait out revocations: production's 5 s would cost 5 s a wait. */
export const TEST_CREDENTIAL_CACHE_MS = 1_000;

/** Runs `check` until it passes, for a revocation: within TEST_CREDENTIAL_CACHE_MS, and a loaded machine's delay. */
export const withinCredentialCache = (check: () => Promise<void>) => eventually(check, TEST_CREDENTIAL_CACHE_MS + 3_000);
