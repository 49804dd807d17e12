// npm run compose: writes schema/supergraph.graphql and schema/api.graphql from the subgraph SDL.
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from '@shop/gateway/composition';

const { supergraphSdl, apiSdl } = composeSupergraph();
writeFileSync(new URL('../schema/supergraph.graphql', import.meta.url), supergraphSdl);
writeFileSync(new URL('../schema/api.graphql', import.meta.url), apiSdl);
console.log('Wrote schema/supergraph.graphql and schema/api.graphql');
