import { z } from 'zod';
import { internalEndpoint } from './endpoint.js';
import { idSchema } from './values.js';

/**
 * The users subgraph's endpoint where a service that writes to a shopper (the notifications
 * worker) learns where to: the account's email and first name, signed as the gateway signs.
 * Null: no such account, or one deactivated (nothing is sent to it).
 */
export const shopperContact = internalEndpoint({
  path: '/internal/shopper-contact',
  request: z.object({ userId: idSchema }),
  answer: z.object({ contact: z.object({ email: z.email(), firstName: z.string().nullable() }).nullable() }),
});
