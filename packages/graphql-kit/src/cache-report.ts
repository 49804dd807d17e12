import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getNamedType, getNullableType, isListType, Kind, type DocumentNode } from 'graphql';
import { entityTag, listTag, type Change } from '@shop/contracts';
import { changesOfThisRequest } from '@shop/db';
import { isId } from './ids.js';

/** The response extension in which a subgraph tells the gateway's cache what it read and changed. */
export const CACHE_REPORT_EXTENSION = 'cacheReport';

export interface CacheReport {
  /**
   * What the response was made of: `Type:id` for each entity it read or looked up by id (found
   * or not), and `Type` for each list of entities (whose membership any change to that type may alter).
   */
  tags: string[];
  /** Changes this request made, for the gateway to purge before it answers. */
  changes: Change[];
}

/** Types with a @key: the ones a cache can name and purge one by one. */
export function entityTypesOf(typeDefs: DocumentNode): ReadonlySet<string> {
  const names = new Set<string>();
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    if (definition.directives?.some((directive) => directive.name.value === 'key')) names.add(definition.name.value);
  }
  return names;
}

/**
 * Reports, with every response, the entities it was made of and the changes the request
 * made. A response computed for a caller who sees more than others (an administrator)
 * is private whatever the SDL hints say, so it is never shared.
 */
export function cacheReportPlugin<Context extends BaseContext>(
  entityTypes: ReadonlySet<string>,
  seesMoreThanOthers: (context: Context) => boolean,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const tags = new Set<string>();
      const seen = new WeakSet<object>();
      return {
        async executionDidStart({ contextValue, overallCachePolicy }) {
          return {
            // After the fields gave their hints: restricting earlier would make Apollo's
            // cache-control plugin skip computing them.
            async executionDidEnd() {
              if (seesMoreThanOthers(contextValue)) overallCachePolicy.restrict({ scope: 'PRIVATE' });
            },
            willResolveField({ source, args, info }) {
              const parent = info.parentType.name;
              if (entityTypes.has(parent) && typeof source === 'object' && source !== null && !seen.has(source)) {
                seen.add(source);
                const id = (source as { id?: unknown }).id;
                if (typeof id === 'string') tags.add(entityTag(parent, id));
              }
              const returned = getNullableType(info.returnType);
              const named = getNamedType(returned).name;
              if (isListType(returned)) {
                if (entityTypes.has(named)) tags.add(listTag(named));
              } else if (entityTypes.has(named) && typeof args.id === 'string' && isId(args.id)) {
                // A lookup by id that answers null names no entity of its own; its id still
                // must purge it, or the entity's arrival (activated, created) stays hidden.
                tags.add(entityTag(named, args.id.toLowerCase()));
              }
            },
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const report: CacheReport = { tags: [...tags], changes: [...changesOfThisRequest()] };
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [CACHE_REPORT_EXTENSION]: report };
        },
      };
    },
  };
}
