import type { Fetcher } from '@apollo/utils.fetcher';

/**
 * Subgraphs answer a request they refuse before executing it (a variable of the wrong
 * shape) with HTTP 400 and a GraphQL body. RemoteGraphQLDataSource would replace that with
 * an opaque "400: Bad Request" error; passing the body on as a 200 keeps its errors and
 * their codes (BAD_USER_INPUT) for the client.
 */
export const subgraphFetcher: Fetcher = async (url, init) => {
  const response = await fetch(url, init as RequestInit);
  if (response.status !== 400) return response as unknown as Awaited<ReturnType<Fetcher>>;
  const body = await response.text();
  const isGraphQLError = (() => {
    try {
      return Array.isArray((JSON.parse(body) as { errors?: unknown }).errors);
    } catch {
      return false;
    }
  })();
  return new Response(body, {
    status: isGraphQLError ? 200 : response.status,
    headers: response.headers,
  }) as unknown as Awaited<ReturnType<Fetcher>>;
};
