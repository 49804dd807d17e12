import { randomUUID } from 'node:crypto';
import { UsersUnavailable, type PostalAddress, type UsersClient } from '../src/data/users-client.js';

/**
 * The users subgraph's address lookup in memory, with the real one's contract: a user reads
 * only its own saved addresses. `down` makes lookups fail as an unreachable users subgraph does.
 */
export function fakeUsers() {
  const addresses = new Map<string, { userId: string; address: PostalAddress }>();
  const state = { down: false };
  const client: UsersClient = {
    savedAddress: async (userId, addressId) => {
      if (state.down) throw new UsersUnavailable('fake users is down');
      const saved = addresses.get(addressId);
      return saved?.userId === userId ? { ...saved.address } : null;
    },
  };
  return {
    client,
    state,
    /** Saves an address for the user; returns its id. */
    save: (userId: string, address: PostalAddress) => {
      const id = randomUUID();
      addresses.set(id, { userId, address });
      return id;
    },
    edit: (id: string, change: Partial<PostalAddress>) => {
      const saved = addresses.get(id)!;
      saved.address = { ...saved.address, ...change };
    },
  };
}
