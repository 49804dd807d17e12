import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { accessRequirementsFromSdl, type AccessRequirements } from '@shop/auth';
import { costDirectivesFromSdl, type CostDirectives } from '@shop/graphql-kit';

export const supergraphPath = new URL('../../schema/supergraph.graphql', import.meta.url);

/**
 * Security features this gateway enforces itself (access-control.ts). The supergraph marks
 * them `for: SECURITY`, which tells a gateway that does not enforce them to refuse to start;
 * @apollo/gateway does not, so it is handed a copy without that mark, and only for these.
 */
const enforcedSecurityFeatures = ['https://specs.apollo.dev/authenticated/v0.1', 'https://specs.apollo.dev/requiresScopes/v0.1'];

export interface LoadedSupergraph {
  /** For @apollo/gateway's query planner. */
  sdlForGateway: string;
  requirements: AccessRequirements;
  /** @cost and @listSize of every subgraph, for demand control (the API schema drops them). */
  cost: CostDirectives;
}

export function loadSupergraph(path: URL = supergraphPath): LoadedSupergraph {
  const sdl = readFileSync(path, 'utf8');
  let sdlForGateway = sdl;
  for (const feature of enforcedSecurityFeatures) {
    sdlForGateway = sdlForGateway.replace(`@link(url: "${feature}", for: SECURITY)`, `@link(url: "${feature}")`);
  }
  const document = parse(sdl);
  return { sdlForGateway, requirements: accessRequirementsFromSdl(document), cost: costDirectivesFromSdl(document) };
}
