import type { RawSqlClient } from '@shop/db';
import type { ConsumerCheckpoints } from './consumer.js';

/**
 * A consumer's positions in a service's own database, in its `consumer_checkpoints` table
 * (`position` text primary key, `value` text, `updated_at`): the same table wherever a service
 * consumes events (the notifications worker, the orders subgraph).
 */
export const databaseCheckpoints = (client: RawSqlClient): ConsumerCheckpoints => ({
  read: async (position) => {
    const [row] = await client.$queryRawUnsafe<Array<{ value: string }>>(`SELECT value FROM consumer_checkpoints WHERE position = $1`, position);
    return row?.value ?? null;
  },
  save: async (position, value) => {
    await client.$executeRawUnsafe(
      `INSERT INTO consumer_checkpoints (position, value) VALUES ($1, $2)
       ON CONFLICT (position) DO UPDATE SET value = excluded.value, updated_at = now()`,
      position,
      value,
    );
  },
});
