export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface GraphQLRequest {
  /** Absent when the operation is sent by persisted query id (extensions.persistedQuery). */
  query?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The body postGraphQL sends for a request (what a gateway token for it is bound to). */
export const graphQLBody = ({ query, variables, operationName, extensions }: GraphQLRequest) => JSON.stringify({ query, variables, operationName, extensions });

/** POSTs one operation to a GraphQL endpoint, as a client would. */
export async function postGraphQL<Data = Record<string, unknown>>(url: string, request: GraphQLRequest): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...request.headers },
    body: graphQLBody(request),
  });
  const text = await response.text();
  let body: Omit<GraphQLResponse<Data>, 'status' | 'headers'>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Not a GraphQL response (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** The error codes of a response, in order. */
export const errorCodes = (response: GraphQLResponse<unknown>) =>
  (response.errors ?? []).map((error) => error.extensions?.code);
