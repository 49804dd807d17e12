import type { BaseContext, GraphQLRequestContext } from '@apollo/server';
import {
  defaultFieldResolver,
  getNamedType,
  isCompositeType,
  isObjectType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { RequestHooks } from './request-hooks.js';

type CachePolicy = GraphQLRequestContext<BaseContext>['overallCachePolicy'];

interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

interface CacheAnnotation extends CacheHint {
  inheritMaxAge?: true;
}

/** A `@cacheControl` directive's hint, read as Apollo's cache-control plugin reads it. */
function annotationOf(directives: readonly ConstDirectiveNode[] | undefined): CacheAnnotation | undefined {
  const directive = directives?.find((candidate) => candidate.name.value === 'cacheControl');
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments!.find((candidate) => candidate.name.value === name)?.value;
  const scopeValue = argument('scope');
  const scopeName = scopeValue?.kind === Kind.ENUM ? scopeValue.value : undefined;
  const scope = scopeName === 'PUBLIC' || scopeName === 'PRIVATE' ? scopeName : undefined;
  const inherit = argument('inheritMaxAge');
  if (inherit?.kind === Kind.BOOLEAN && inherit.value) return { inheritMaxAge: true, scope };
  const maxAge = argument('maxAge');
  return { maxAge: maxAge?.kind === Kind.INT ? parseInt(maxAge.value, 10) : undefined, scope };
}

const typeAnnotation = (type: GraphQLNamedType): CacheAnnotation =>
  annotationOf(type.astNode?.directives) ?? type.extensionASTNodes.map((node) => annotationOf(node.directives)).find(Boolean) ?? {};

/** Apollo's rule for one field (defaultMaxAge 0), with no dynamic hints: ours set none. */
function fieldHint(field: GraphQLField<unknown, unknown>, isRootField: boolean): CacheHint {
  const hint: CacheHint = {};
  const replace = (other: CacheHint) => {
    if (other.maxAge !== undefined) hint.maxAge = other.maxAge;
    if (other.scope !== undefined) hint.scope = other.scope;
  };
  const target = getNamedType(field.type);
  let inheritMaxAge = false;
  if (isCompositeType(target)) {
    const annotation = typeAnnotation(target);
    replace(annotation);
    inheritMaxAge = annotation.inheritMaxAge === true;
  }
  const annotation = annotationOf(field.astNode?.directives) ?? {};
  if (annotation.inheritMaxAge && hint.maxAge === undefined) {
    inheritMaxAge = true;
    if (annotation.scope) replace({ scope: annotation.scope });
  } else {
    replace(annotation);
  }
  if (hint.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRootField)) hint.maxAge = 0;
  return hint;
}

/** The cache policy of the request a context belongs to; none outside a request the plugin saw begin. */
const policyOfRequest = new WeakMap<object, CachePolicy>();

/**
 * The response's Cache-Control from the schema's static `@cacheControl` hints, as Apollo's
 * cache-control plugin computes it (the most restrictive hint of the fields resolved, 0 for an
 * object or root field without one), without its hook on every field of every response
 * (docs/adr/0037): each field's hint is computed once here, and only the fields with one
 * restrict the request's policy when they resolve. `_entities` takes the hint of each
 * representation's type, as @apollo/subgraph has the plugin do.
 */
export function applyStaticCacheHints(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  const entityAnnotations = new Map(
    Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .map((type) => [type.name, typeAnnotation(type)]),
  );
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const hint = fieldHint(field, roots.has(type));
      const resolve: GraphQLFieldResolver<unknown, object> = field.resolve ?? defaultFieldResolver;
      if (field.name === '_entities' && roots.has(type)) {
        field.resolve = (source, args: { representations?: Array<{ __typename?: unknown }> }, context: object, info) => {
          const policy = policyOfRequest.get(context);
          if (policy) {
            let maxAge: number | undefined;
            for (const representation of args.representations ?? []) {
              const annotation = typeof representation.__typename === 'string' ? entityAnnotations.get(representation.__typename) : undefined;
              if (!annotation) continue;
              policy.restrict({ scope: annotation.scope });
              if (annotation.maxAge !== undefined) maxAge = Math.min(maxAge ?? Infinity, annotation.maxAge);
            }
            policy.restrict({ maxAge: maxAge ?? 0 });
          }
          return resolve(source, args, context, info);
        };
        continue;
      }
      if (hint.maxAge === undefined && hint.scope === undefined) continue;
      field.resolve = (source, args, context: object, info) => {
        policyOfRequest.get(context)?.restrict(hint);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/**
 * Sets Cache-Control as Apollo's plugin does (replaced by ApolloServerPluginCacheControlDisabled):
 * `max-age=N, public|private` for a cacheable answer without errors, `no-store` otherwise.
 */
export function staticCacheControl<Context extends BaseContext>(): RequestHooks<Context> {
  return {
    requestDidStart({ contextValue, overallCachePolicy }) {
      policyOfRequest.set(contextValue, overallCachePolicy);
    },
    willSendResponse({ response, overallCachePolicy: policy }) {
      const cacheable = policy.policyIfCacheable();
      const answer = cacheable && response.body.kind === 'single' && !response.body.singleResult.errors;
      response.http.headers.set('cache-control', answer ? `max-age=${cacheable.maxAge}, ${cacheable.scope.toLowerCase()}` : 'no-store');
    },
  };
}
