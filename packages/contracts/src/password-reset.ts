import { z } from 'zod';
import { internalEndpoint } from './endpoint.js';
import { idSchema } from './values.js';

/**
 * The users subgraph's endpoint where the notifications worker gets the token of a password
 * reset request it read from the event stream (docs/adr/0035), to email it. Users mints the
 * token on the first call and keeps only its hash: a second call, or one for a request that
 * expired, was superseded or whose account is gone, is answered null (nothing to send).
 */
export const passwordResetToken = internalEndpoint({
  path: '/internal/password-reset/token',
  request: z.object({ userId: idSchema, resetRequestId: idSchema }),
  answer: z.object({
    reset: z
      .object({
        token: z.string().min(32),
        email: z.email(),
        firstName: z.string().nullable(),
        /** When the token stops working. */
        expiresAt: z.iso.datetime(),
      })
      .nullable(),
  }),
});
