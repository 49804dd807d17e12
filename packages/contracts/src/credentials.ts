import { z } from 'zod';
import { internalEndpoint } from './endpoint.js';

/**
 * The users subgraph's endpoint where the gateway turns a credential into a viewer. The viewer
 * comes back in the form gateway tokens carry it, which `@shop/auth` reads (`parseViewer`);
 * null: the credential is not (or no longer) valid.
 */
export const credentialCheck = internalEndpoint({
  path: '/internal/authenticate',
  request: z.union([z.object({ accessToken: z.string().min(1) }), z.object({ apiKey: z.string().min(1) })]),
  answer: z.object({ viewer: z.record(z.string(), z.unknown()).nullable() }),
});
