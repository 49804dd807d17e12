import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { refusal, refusalFor, type AccessRefusal, type AccessRequirement, type AccessRequirements, type Viewer } from '@shop/auth';

interface ViewerContext {
  viewer: Viewer;
}

/**
 * The answer depends on the caller only, so it is computed once per viewer and requirement:
 * a list of twenty orders asks the same question twenty times.
 */
const answers = new WeakMap<Viewer, Map<AccessRequirement, AccessRefusal | null>>();
function refusalOf(viewer: Viewer, requirement: AccessRequirement): AccessRefusal | null {
  let known = answers.get(viewer);
  if (!known) answers.set(viewer, (known = new Map()));
  let code = known.get(requirement);
  if (code === undefined) known.set(requirement, (code = refusalFor(viewer, requirement)));
  return code;
}

/**
 * The subgraph's second line of defence: checks generated from the same `@authenticated` /
 * `@requiresScopes` directives the gateway enforces, so the rule is written once, in the SDL.
 * Only the fields carrying a requirement get a check, a synchronous one run before their
 * resolver; the others are left untouched (graphql-shield wrapped every field of the schema
 * in promises, docs/adr/0037). Fields without a directive are open (`_service` and
 * `_entities` among them: the gateway's token already vouches for every request).
 */
export function applyDirectivePermissions(schema: GraphQLSchema, requirements: AccessRequirements): GraphQLSchema {
  for (const [key, requirement] of requirements) {
    const [typeName, fieldName] = key.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) continue;
    const resolve: GraphQLFieldResolver<unknown, ViewerContext> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: ViewerContext, info) => {
      const code = refusalOf(context.viewer, requirement);
      if (code !== null) throw refusal(code);
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
