import type { z } from 'zod';

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment against one schema and lists every problem at once, so a
 * misconfigured deployment fails at start with the whole picture instead of one error
 * per restart.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.') || '(environment)';
      return `${key}: ${issue.message}`;
    }),
  );
}

/** The one place that reads process.env: called once at start by each entry point. */
export function readEnvironment(): Env {
  return { ...process.env };
}
