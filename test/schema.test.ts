import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, Kind, parse, print, validate } from 'graphql';
import { composePartnerManifest, composeSupergraph } from '@shop/schema/compose';
import { contractFiles, readContract } from '@shop/testing';

const repoFile = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('the composed schema', () => {
  it('is up to date with the subgraph SDL (run `npm run compose`)', () => {
    const { supergraphSdl, apiSdl } = composeSupergraph();
    expect(repoFile('schema/supergraph.graphql')).toBe(supergraphSdl);
    expect(repoFile('schema/api.graphql')).toBe(apiSdl);
  });

  it('has an up-to-date partner manifest with every partner operation (run `npm run compose`)', () => {
    const manifest = composePartnerManifest();
    expect(JSON.parse(repoFile('schema/partner-manifest.json'))).toEqual(manifest);
    expect(manifest.operations.map((operation) => operation.name)).toEqual(['PartnerCatalog', 'PartnerProduct', 'PartnerCategories', 'PartnerProductChanges']);
  });

  const apiSchema = buildSchema(repoFile('schema/api.graphql'));

  it.each(contractFiles)('serves every operation of contract/%s.graphql', (file) => {
    const errors = validate(apiSchema, parse(readContract(file)));
    expect(errors.map((error) => error.message)).toEqual([]);
  });

  it('does not expose federation internals to clients', () => {
    expect(apiSchema.getQueryType()?.getFields()).not.toHaveProperty('_entities');
    expect(apiSchema.getQueryType()?.getFields()).not.toHaveProperty('_service');
  });
});

/** A document's operations and fragments by kind and name, printed so that layout and comments do not count. */
function definitionsOf(source: string): Map<string, string> {
  return new Map(
    parse(source).definitions.flatMap((definition): Array<[string, string]> => {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) return [[`fragment ${definition.name.value}`, print(definition)]];
      if (definition.kind === Kind.OPERATION_DEFINITION) return [[`${definition.operation} ${definition.name?.value ?? '(anonymous)'}`, print(definition)]];
      return [];
    }),
  );
}

/** The shared definitions ours lacks or changed: clients rely on each of them as written; ours may only add. */
function departuresFrom(shared: string, ours: string): string[] {
  const oursByName = definitionsOf(ours);
  return [...definitionsOf(shared)].filter(([name, printed]) => oursByName.get(name) !== printed).map(([name]) => name);
}

describe('the contract copy', () => {
  const shared = new URL('../../shared/contract/', import.meta.url);
  const hasShared = (() => {
    try {
      readFileSync(new URL('README.md', shared));
      return true;
    } catch {
      return false;
    }
  })();

  it.each(contractFiles)('contract/%s.graphql keeps every operation and fragment of shared/contract unchanged when it is beside the repo', (file) => {
    if (!hasShared) return;
    expect(departuresFrom(readFileSync(new URL(`${file}.graphql`, shared), 'utf8'), readContract(file))).toEqual([]);
  });

  it('allows added operations and another layout, never a removed or altered one', () => {
    const original = 'query A { a }\nmutation B($id: ID!) { b(id: $id) { id } }\nfragment F on T { f }';
    expect(departuresFrom(original, `# comment\nfragment F on T {\n  f\n}\nquery A { a }\nmutation B($id: ID!) { b(id: $id) { id } }\nquery C { c }`)).toEqual([]);
    expect(departuresFrom(original, 'query A { a }\nfragment F on T { f }')).toEqual(['mutation B']);
    expect(departuresFrom(original, 'query A { a b }\nmutation B($id: ID) { b(id: $id) { id } }\nfragment F on T { g }')).toEqual([
      'query A',
      'mutation B',
      'fragment F',
    ]);
    expect(departuresFrom(original, 'mutation A { a }\nmutation B($id: ID!) { b(id: $id) { id } }\nfragment F on T { f }')).toEqual(['query A']);
  });
});
