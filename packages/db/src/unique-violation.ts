import { AppError, ErrorCode } from '@shop/errors';

/** Prisma's code for a unique constraint violation, whichever driver adapter raised it. */
export const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';

/**
 * A write whose unique indexes decide between concurrent writers (a taken email, a category
 * name): the loser's violation becomes CONFLICT with `message`.
 */
export async function conflictOnUniqueViolation<T>(write: Promise<T>, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError(ErrorCode.CONFLICT, message);
    throw error;
  }
}

/** Tries that an upsert racing others gets: each loser finds the winner's row on its next try. */
const UPSERT_ATTEMPTS = 3;

/**
 * Runs a write that creates a row when it is missing (Prisma's upsert reads, then inserts).
 * Two concurrent writers can both find the row missing; the one that inserts second fails
 * on the unique key and, run again, updates the row the first created.
 */
export async function retryingUniqueRace<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= UPSERT_ATTEMPTS) throw error;
    }
  }
}
