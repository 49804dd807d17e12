import type { z } from 'zod';
import { ConfigError, parseConfig, type Env } from './load.js';

type Schemas = Record<string, z.ZodType>;
type Parsed<S extends Schemas> = { [Key in keyof S]: z.output<S[Key]> };

/** Parses one schema per concern and reports the problems of all of them together. */
export function loadConfig<S extends Schemas>(schemas: S, env: Env): Parsed<S> {
  const parsed: Partial<Parsed<S>> = {};
  const problems: string[] = [];
  for (const [concern, schema] of Object.entries(schemas) as Array<[keyof S, z.ZodType]>) {
    try {
      parsed[concern] = parseConfig(schema, env) as Parsed<S>[keyof S];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return parsed as Parsed<S>;
}
