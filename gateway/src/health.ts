const HEALTH_TIMEOUT_MS = 2_000;

const healthUrlOf = (graphqlUrl: string) => new URL('/health', graphqlUrl).toString();

/** True only when every subgraph answers its own /health (which checks its database). */
export async function allSubgraphsHealthy(subgraphUrls: Record<string, string>): Promise<boolean> {
  const answers = await Promise.all(
    Object.values(subgraphUrls).map(async (url) => {
      try {
        const response = await fetch(healthUrlOf(url), { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
        return response.ok;
      } catch {
        return false;
      }
    }),
  );
  return answers.every(Boolean);
}
