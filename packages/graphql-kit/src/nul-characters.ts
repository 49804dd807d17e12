import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { BREAK, visit, type DocumentNode } from 'graphql';
import { AppError, ErrorCode } from '@shop/errors';
import { pluginOf, type RequestHooks } from './request-hooks.js';

/** U+0000: GraphQL and JSON strings may carry it, PostgreSQL's text cannot (SQLSTATE 22021). */
const NUL = '\u0000';

function hasNulLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes(NUL)) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

/** Where in a variable's value a string holds NUL (`input.items[0].name`), or null. */
function nulPathIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  const entries = Array.isArray(value) ? value.map((item, index) => [`${path}[${index}]`, item] as const) : Object.entries(value).map(([key, item]) => [`${path}.${key}`, item] as const);
  for (const [itemPath, item] of entries) {
    const found = nulPathIn(item, itemPath);
    if (found) return found;
  }
  return null;
}

const refusal = (field?: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, `${field ? `Variable $${field}` : 'A string in the operation'} contains the NUL character (U+0000), which text cannot hold`, {
    ...(field ? { field } : {}),
    http: { status: 400 },
  });

/**
 * Refuses, before anything runs, an operation any of whose string inputs (a literal argument
 * or anywhere in its variables) contains U+0000: once here for every field, rather than in each
 * resolver that passes text to SQL, where the next one would forget it (docs/adr/0013).
 */
export function nulCharacterCheck<Context extends BaseContext>(): RequestHooks<Context> {
  const literalsWithNul = new WeakMap<DocumentNode, boolean>();
  return {
    didResolveOperation({ document, request }) {
      let withNul = literalsWithNul.get(document);
      if (withNul === undefined) literalsWithNul.set(document, (withNul = hasNulLiteral(document)));
      if (withNul) throw refusal();
      for (const [name, value] of Object.entries(request.variables ?? {})) {
        const field = nulPathIn(value, name);
        if (field) throw refusal(field);
      }
    },
  };
}

/** nulCharacterCheck as a plugin of its own. */
export const nulCharacterPlugin = <Context extends BaseContext>(): ApolloServerPlugin<Context> => pluginOf([nulCharacterCheck<Context>()]);
