import { z } from 'zod';
import { parseInput } from './input.js';

const DEFAULT_MAX_LENGTH = 200;

/** Free text from a client, trimmed; longer than a field can sensibly hold is refused. */
export const textInput = (maxLength = DEFAULT_MAX_LENGTH) => z.string().trim().max(maxLength, `is longer than ${maxLength} characters`);

/** Trims free text from a client and refuses what is longer than a field can sensibly hold. */
export const boundedText = (value: string, field: string, maxLength = DEFAULT_MAX_LENGTH): string =>
  parseInput(textInput(maxLength), value, field);

/** Prisma's `contains` is a LIKE pattern: wildcards typed by a client must match literally. */
export const literalPattern = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);
