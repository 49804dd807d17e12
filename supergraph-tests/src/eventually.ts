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
