import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, validate } from 'graphql';
import { composePartnerManifest, composeSupergraph } from '@shop/gateway/composition';
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
    expect(manifest.operations.map((operation) => operation.name)).toEqual(['PartnerCatalog', 'PartnerProduct', 'PartnerCategories']);
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

  it.each(contractFiles)('contract/%s.graphql is identical to shared/contract when it is beside the repo', (file) => {
    if (!hasShared) return;
    expect(readContract(file)).toBe(readFileSync(new URL(`${file}.graphql`, shared), 'utf8'));
  });
});
