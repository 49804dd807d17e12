import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, rule, shield, type IRules } from 'graphql-shield';
import { refusal, refusalFor, type AccessRequirement, type AccessRequirements, type Viewer } from '@shop/auth';

interface ViewerContext {
  viewer: Viewer;
}

function ruleFor(requirement: AccessRequirement) {
  // 'contextual': the answer depends on the caller only, so it is computed once per request.
  return rule({ cache: 'contextual' })((_parent, _args, context: ViewerContext) => {
    const code = refusalFor(context.viewer, requirement);
    return code === null ? true : refusal(code);
  });
}

/**
 * The subgraph's second line of defence: graphql-shield rules generated from the same
 * `@authenticated` / `@requiresScopes` directives the gateway enforces, so the rule is
 * written once, in the SDL. Fields without a directive are open (`_service` and `_entities`
 * among them: the gateway's token already vouches for every request).
 */
export function applyDirectivePermissions(schema: GraphQLSchema, requirements: AccessRequirements): GraphQLSchema {
  const tree: Record<string, Record<string, ReturnType<typeof ruleFor>>> = {};
  for (const [key, requirement] of requirements) {
    const [typeName, fieldName] = key.split('.') as [string, string];
    if (!schema.getType(typeName)) continue;
    (tree[typeName] ??= {})[fieldName] = ruleFor(requirement);
  }
  const permissions = shield(tree as IRules, { fallbackRule: allow, allowExternalErrors: true });
  return applyMiddleware(schema, permissions);
}
