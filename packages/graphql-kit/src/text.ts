import { badUserInput } from '@shop/errors';

const DEFAULT_MAX_LENGTH = 200;

/** Trims free text from a client and refuses what is longer than a field can sensibly hold. */
export function boundedText(value: string, field: string, maxLength = DEFAULT_MAX_LENGTH): string {
  const text = value.trim();
  if (text.length > maxLength) throw badUserInput(`${field} is longer than ${maxLength} characters`, field);
  return text;
}

/** Prisma's `contains` is a LIKE pattern: wildcards typed by a client must match literally. */
export const literalPattern = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);
