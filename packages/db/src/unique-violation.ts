/** Prisma's code for a unique constraint violation, whichever driver adapter raised it. */
export const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
