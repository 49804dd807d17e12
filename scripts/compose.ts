// npm run compose: writes schema/supergraph.graphql and schema/api.graphql from the subgraph
// SDL, and schema/partner-manifest.json (trusted documents) from contract/partner.graphql.
import { writeFileSync } from 'node:fs';
import { composePartnerManifest, composeSupergraph } from '@shop/schema/compose';

const { supergraphSdl, apiSdl } = composeSupergraph();
writeFileSync(new URL('../schema/supergraph.graphql', import.meta.url), supergraphSdl);
writeFileSync(new URL('../schema/api.graphql', import.meta.url), apiSdl);
writeFileSync(new URL('../schema/partner-manifest.json', import.meta.url), `${JSON.stringify(composePartnerManifest(), null, 2)}\n`);
console.log('Wrote schema/supergraph.graphql, schema/api.graphql and schema/partner-manifest.json');
