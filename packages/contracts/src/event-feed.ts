import { z } from 'zod';
import { internalEndpoint } from './endpoint.js';
import { publishedEventSchema } from './events.js';
import { sequenceSchema } from './values.js';

/** Where consumers read a subgraph's published outbox events, in order, after the last one they read. */
export const eventFeed = internalEndpoint({
  path: '/internal/events',
  request: z.object({
    after: sequenceSchema.default('0'),
    limit: z.number().int().min(1).max(1000).default(100),
  }),
  answer: z.object({ events: z.array(publishedEventSchema) }),
});
