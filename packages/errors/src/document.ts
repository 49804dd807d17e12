import { apolloErrorRegistry, errorRegistry, type ErrorCodeEntry } from './codes.js';

const table = (registry: Record<string, ErrorCodeEntry>) => [
  '| code | HTTP status | meaning, and what the client should do |',
  '| --- | --- | --- |',
  ...Object.entries(registry).map(([code, { status, description }]) => `| \`${code}\` | ${status} | ${description.replaceAll('|', '\\|')} |`),
];

/** `docs/errors.md`, as `npm run docs:errors` writes it from the registry and a test compares it. */
export function errorsDocument(): string {
  return [
    '# Error codes',
    '',
    '<!-- Generated from packages/errors/src/codes.ts by `npm run docs:errors`: edit the registry, not this file. -->',
    '',
    'Every error an answer carries has a stable `extensions.code`, and never a stack trace, a',
    'driver message or SQL. An answer that holds nothing (no data, or null for every field',
    'asked) takes the HTTP status of its errors\' codes, the gravest when there are several; an',
    'answer with some data stays 200: what could be served, was.',
    '',
    '## This API\'s codes',
    '',
    ...table(errorRegistry),
    '',
    '## Apollo Server\'s codes',
    '',
    'Apollo Server refuses malformed requests with its own codes before anything runs; the HTTP',
    'front refuses a request it cannot take with `BAD_REQUEST` too.',
    '',
    ...table(apolloErrorRegistry),
    '',
  ].join('\n');
}
