import { z } from 'zod';

/** The service one container of the image runs (Dockerfile: one image for all four, docs/adr/0026). */
export const imageServiceSchema = z
  .object({ SERVICE: z.enum(['gateway', 'users', 'catalog', 'orders', 'notifications']).default('gateway') })
  .transform((env) => env.SERVICE);

export type ImageService = z.output<typeof imageServiceSchema>;
