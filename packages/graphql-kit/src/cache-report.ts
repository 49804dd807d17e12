import type { BaseContext } from '@apollo/server';
import {
  defaultFieldResolver,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { CACHE_REPORT_EXTENSION, entityTag, listTag, type CacheReport } from '@shop/contracts';
import { changesOfThisRequest } from '@shop/db';
import { isId } from './ids.js';
import type { RequestHooks } from './request-hooks.js';

/** Types with a @key: the ones a cache can name and purge one by one. */
export function entityTypesOf(typeDefs: DocumentNode): ReadonlySet<string> {
  const names = new Set<string>();
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    if (definition.directives?.some((directive) => directive.name.value === 'key')) names.add(definition.name.value);
  }
  return names;
}

/** The tags of the request a context belongs to; none outside a request the plugin saw begin. */
const tagsOfRequest = new WeakMap<object, Set<string>>();

// Its failure is graphql-js's to report, through the promise it was handed.
const ignore = () => undefined;
const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * Makes the fields that can put an entity in a response name it, so that
 * cacheReport can report it: a field returning entities tags each one it returns
 * (`Type:id`; `_entities` too, by the `__typename` each answer carries), a list of them tags
 * the type, and a lookup by id tags that id even when nothing is found. Only those fields
 * are wrapped, once at start: a hook on every field of every response (Apollo's
 * willResolveField) cost more than the rest of the report (docs/adr/0037).
 */
export function reportEntityTags(schema: GraphQLSchema, entityTypes: ReadonlySet<string>): GraphQLSchema {
  const tagEntity = (tags: Set<string>, value: unknown, typeName: string) => {
    if (typeof value !== 'object' || value === null) return;
    const name = entityTypes.has(typeName) ? typeName : (value as { __typename?: unknown }).__typename;
    const id = (value as { id?: unknown }).id;
    if (typeof name === 'string' && entityTypes.has(name) && typeof id === 'string') tags.add(entityTag(name, id));
  };
  // A promise is tagged when it settles, beside graphql-js's own wait for it: the response is
  // sent long after, and the promise graphql-js handles stays the resolver's own.
  const tagWhenResolved = (tags: Set<string>, value: unknown, typeName: string) => {
    if (isThenable(value)) value.then((resolved) => tagEntity(tags, resolved, typeName), ignore);
    else tagEntity(tags, value, typeName);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const returned = getNullableType(field.type);
      const named = getNamedType(returned).name;
      const list = isListType(returned);
      // Entities come back from fields typed with them and from `_entities` (the _Entity union).
      const returnsEntities = entityTypes.has(named) || field.name === '_entities';
      if (!returnsEntities) continue;
      const lookupById = !list && field.args.some((argument) => argument.name === 'id');
      const resolve: GraphQLFieldResolver<unknown, object> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: object, info) => {
        const tags = tagsOfRequest.get(context);
        if (!tags) return resolve(source, args, context, info);
        if (list && entityTypes.has(named)) tags.add(listTag(named));
        // A lookup by id that answers null names no entity of its own; its id still
        // must purge it, or the entity's arrival (activated, created) stays hidden.
        if (lookupById && typeof args.id === 'string' && isId(args.id)) tags.add(entityTag(named, args.id.toLowerCase()));
        const result = resolve(source, args, context, info);
        const tagResolved = (value: unknown) => {
          if (!list) tagWhenResolved(tags, value, named);
          else if (Array.isArray(value)) for (const item of value) tagWhenResolved(tags, item, named);
        };
        if (isThenable(result)) result.then(tagResolved, ignore);
        else tagResolved(result);
        return result;
      };
    }
  }
  return schema;
}

/**
 * Reports, with every response, the entities it was made of (the tags reportEntityTags's
 * fields collect) and the changes the request made. A response computed for a caller who
 * sees more than others (an administrator) is private whatever the SDL hints say, so it is
 * never shared.
 */
export function cacheReport<Context extends BaseContext>(seesMoreThanOthers: (context: Context) => boolean): RequestHooks<Context> {
  return {
    requestDidStart({ contextValue, overallCachePolicy }) {
      tagsOfRequest.set(contextValue, new Set());
      if (seesMoreThanOthers(contextValue)) overallCachePolicy.restrict({ scope: 'PRIVATE' });
    },
    willSendResponse({ contextValue, response }) {
      if (response.body.kind !== 'single') return;
      const report: CacheReport = { tags: [...(tagsOfRequest.get(contextValue) ?? [])], changes: [...changesOfThisRequest()] };
      const result = response.body.singleResult;
      result.extensions = { ...result.extensions, [CACHE_REPORT_EXTENSION]: report };
    },
  };
}
