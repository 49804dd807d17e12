import { internalClient, InternalCallFailed } from '@shop/auth';
import type { KeyRing } from '@shop/config';
import { addressLookup, type PostalAddress } from '@shop/contracts';

/** The users subgraph did not answer (down, timed out, or failed): the request may be retried. */
export class UsersUnavailable extends Error {}

/** A lookup by primary key: users answers in milliseconds or is in trouble. */
const CALL_TIMEOUT_MS = 3_000;

/** The users subgraph's endpoints this subgraph reads (@shop/contracts), signed as the gateway's calls are. */
export function usersClient(usersGraphqlUrl: string, keys: KeyRing) {
  const call = internalClient({ baseUrl: usersGraphqlUrl, audience: 'users', keys, timeoutMs: CALL_TIMEOUT_MS });
  return {
    /** The user's saved address, or null when the user has none of that id. */
    savedAddress: async (userId: string, addressId: string): Promise<PostalAddress | null> => {
      try {
        return (await call(addressLookup, { userId, addressId })).address;
      } catch (error) {
        if (error instanceof InternalCallFailed) throw new UsersUnavailable(`users call failed: ${error.message}`, { cause: error });
        throw error;
      }
    },
  };
}

export type UsersClient = ReturnType<typeof usersClient>;
export type { PostalAddress } from '@shop/contracts';
