import type { Fetcher } from '@apollo/utils.fetcher';
import { AppError, ErrorCode } from '@shop/errors';

/**
 * Subgraphs answer a request they refuse before executing it (a variable of the wrong
 * shape) with HTTP 400 and a GraphQL body. RemoteGraphQLDataSource would replace that with
 * an opaque "400: Bad Request" error; passing the body on as a 200 keeps its errors and
 * their codes (BAD_USER_INPUT) for the client.
 */
export const subgraphFetcher: Fetcher = async (url, init) => {
  let response: Response;
  try {
    response = await fetch(url, init as RequestInit);
  } catch {
    // A subgraph down or restarting is an expected condition: say so, retryable, without its address.
    throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'A service this operation needs is unavailable; retry shortly');
  }
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
