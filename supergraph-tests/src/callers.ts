import type { Role } from '@shop/auth';
import { TEST_PASSWORD, userBuilders } from '@shop/users/testing';
import type { GraphQLRequest } from '@shop/testing';
import type { TestSupergraph } from './supergraph.js';

const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken expiresIn user { id role } }
}`;

export interface SignedIn {
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  headers: Record<string, string>;
}

/** Signs an account in through the gateway's Login mutation, as a client does. */
export async function signIn(supergraph: TestSupergraph, email: string, password = TEST_PASSWORD): Promise<SignedIn> {
  const response = await supergraph.request<{ login: { accessToken: string; refreshToken: string; user: { id: string } } }>({
    query: LOGIN,
    variables: { input: { email, password } },
  });
  if (!response.data?.login) throw new Error(`Login of ${email} failed: ${JSON.stringify(response.errors)}`);
  const { accessToken, refreshToken, user } = response.data.login;
  return { userId: user.id, email, accessToken, refreshToken, headers: { authorization: `Bearer ${accessToken}` } };
}

/** A new account of the given role, signed in. */
export async function signedInUser(supergraph: TestSupergraph, role: Role = 'USER'): Promise<SignedIn> {
  const user = await userBuilders(supergraph.users.prisma).user({ role });
  return signIn(supergraph, user.email, user.password);
}

/** A partner account with an API key (scope stock:read unless told otherwise). */
export async function partnerWithKey(supergraph: TestSupergraph, scopes = ['stock:read']) {
  const build = userBuilders(supergraph.users.prisma);
  const owner = await build.user({ role: 'PARTNER' });
  const apiKey = await build.apiKey(owner.id, { scopes });
  return { owner, apiKey, headers: { 'x-api-key': apiKey.key } };
}

/** The request a client makes for a trusted document: its id, no text. */
export const persistedRequest = (id: string, variables?: Record<string, unknown>, headers?: Record<string, string>): GraphQLRequest => ({
  variables,
  headers,
  extensions: { persistedQuery: { version: 1, sha256Hash: id } },
});
