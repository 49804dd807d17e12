import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';
import { subgraphNames, type SubgraphName } from '@shop/config';
import { manifestFromOperations, type PersistedQueryManifest } from '@shop/gateway/persisted-documents';

const require = createRequire(import.meta.url);

// Composition is build tooling: it reads every subgraph's SDL, which no service may (the
// gateway loads only what this writes to schema/).

/** URLs written into the supergraph; the gateway replaces them with configured ones at start. */
export const defaultSubgraphUrls: Record<SubgraphName, string> = {
  users: 'http://localhost:4001/graphql',
  catalog: 'http://localhost:4002/graphql',
  orders: 'http://localhost:4003/graphql',
};

export function readSubgraphSdl(name: SubgraphName): string {
  return readFileSync(require.resolve(`@shop/${name}/schema.graphql`), 'utf8');
}

export interface ComposedSchemas {
  /** What the gateway loads: the supergraph with its join metadata. */
  supergraphSdl: string;
  /** What clients see. */
  apiSdl: string;
}

/** Composes the three subgraph SDLs offline, as `rover supergraph compose` would. */
export function composeSupergraph(): ComposedSchemas {
  const result = composeServices(
    subgraphNames.map((name) => ({
      name,
      url: defaultSubgraphUrls[name],
      typeDefs: parse(readSubgraphSdl(name)),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  }
  return {
    supergraphSdl: result.supergraphSdl,
    apiSdl: `${printSchema(result.schema.toAPISchema().toGraphQLJSSchema())}\n`,
  };
}

/** The operations partners may run, from the repo's operation file. */
export const partnerOperationsPath = new URL('../../contract/partner.graphql', import.meta.url);

/** The trusted documents for partner API keys, in Apollo's persisted query manifest format. */
export function composePartnerManifest(): PersistedQueryManifest {
  return manifestFromOperations(readFileSync(partnerOperationsPath, 'utf8'));
}
