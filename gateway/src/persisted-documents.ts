import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse, type FragmentDefinitionNode, type GraphQLFormattedError } from 'graphql';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { ApolloErrorCode } from '@shop/errors';
import { printOperation } from './operation-document.js';

/** Apollo's persisted query manifest format (what `generate-persisted-query-manifest` writes). */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: Array<{ id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One manifest entry per operation of an operation file, each with the fragments it uses. */
export function manifestFromOperations(source: string): PersistedQueryManifest {
  const document = parse(source);
  const fragments = document.definitions.filter(
    (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  const operations = document.definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) return [];
    const body = printOperation(definition, fragments);
    return [{ id: sha256(body), name: definition.name.value, type: definition.operation, body }];
  });
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

/** Trusted documents by id. */
export function loadManifest(path: URL): ReadonlyMap<string, string> {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as PersistedQueryManifest;
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1) {
    throw new Error(`${path.pathname} is not an Apollo persisted query manifest (version 1)`);
  }
  for (const operation of manifest.operations) {
    if (sha256(operation.body) !== operation.id) throw new Error(`Manifest operation ${operation.name}: id is not the body's sha256`);
  }
  return new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
}

/** Apollo Server prefixes every key it asks its persisted query store for. */
const APQ_KEY_PREFIX = 'apq:';

/**
 * The persisted query store Apollo Server looks ids up in: trusted documents first (read
 * only: a client cannot register a different body under their ids), then the automatic
 * persisted queries clients register.
 */
export class TrustedDocumentsFirstCache implements KeyValueCache<string> {
  constructor(
    private readonly trusted: ReadonlyMap<string, string>,
    private readonly registered: KeyValueCache<string>,
  ) {}

  private trustedBody(key: string) {
    return key.startsWith(APQ_KEY_PREFIX) ? this.trusted.get(key.slice(APQ_KEY_PREFIX.length)) : undefined;
  }

  async get(key: string): Promise<string | undefined> {
    return this.trustedBody(key) ?? this.registered.get(key);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (this.trustedBody(key) === undefined) await this.registered.set(key, value, options);
  }

  async delete(key: string): Promise<boolean | void> {
    if (this.trustedBody(key) === undefined) return this.registered.delete(key);
  }
}

/** Apollo refuses a persisted query whose hash does not match its text with this message, coded as an internal error. */
const HASH_MISMATCH = 'provided sha does not match query';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Gives Apollo's code-less hash-mismatch refusal its code, so it reads as the client's error it is. */
export const withPersistedQueryMismatchCode =
  (format: FormatError): FormatError =>
  (formatted, error) =>
    format(
      formatted.message === HASH_MISMATCH
        ? { ...formatted, extensions: { ...formatted.extensions, code: ApolloErrorCode.BAD_REQUEST } }
        : formatted,
      error,
    );
