import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isAbstractType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { isAdmin, refusal, refusalFor, type AccessRefusal, type AccessRequirements } from '@shop/auth';
import { ErrorCode } from '@shop/errors';
import type { GatewayContext } from './context.js';

/** What one operation needs, worked out once per parsed document and reused. */
interface OperationNeeds {
  /** `Type.field` keys that carry a requirement. */
  fields: string[];
  introspection: boolean;
}

function operationNeeds(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  requirements: AccessRequirements,
): OperationNeeds {
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const fields = new Set<string>();
  let introspection = false;
  const visited = new Set<string>();
  const pending: Array<OperationDefinitionNode | FragmentDefinitionNode> = [operation];
  while (pending.length > 0) {
    const typeInfo = new TypeInfo(schema);
    visit(
      pending.pop()!,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const name = node.name.value;
          if (name === '__schema' || name === '__type') introspection = true;
          const parent = typeInfo.getParentType();
          if (!parent) return;
          // On an interface or union, the field may be served by any of its types.
          const owners = isAbstractType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [getNamedType(parent)];
          for (const owner of owners) if (requirements.has(`${owner.name}.${name}`)) fields.add(`${owner.name}.${name}`);
        },
        FragmentSpread(node) {
          const fragment = fragments.get(node.name.value);
          if (fragment && !visited.has(fragment.name.value)) {
            visited.add(fragment.name.value);
            pending.push(fragment);
          }
        },
      }),
    );
  }
  return { fields: [...fields], introspection };
}

const statusOf = (code: AccessRefusal) => (code === ErrorCode.UNAUTHENTICATED ? 401 : 403);

export interface AccessControlOptions {
  requirements: AccessRequirements;
  /** In production, introspection is for admins only. */
  production: boolean;
  /** Ids of the trusted documents, the only operations an API key may run. */
  trustedDocumentIds: ReadonlySet<string>;
}

/**
 * Enforces the supergraph's `@authenticated` / `@requiresScopes` on the whole operation
 * before any subgraph is called: one field the caller may not use refuses the operation.
 * Also keeps partners (API keys) to their trusted documents, sent by id.
 */
export function accessControlPlugin(options: AccessControlOptions): ApolloServerPlugin<GatewayContext> {
  const needsByDocument = new WeakMap<DocumentNode, Map<string, OperationNeeds>>();
  return {
    async requestDidStart({ request }) {
      const sentAsText = typeof request.query === 'string' && request.query !== '';
      const persistedId = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
      return {
        async didResolveOperation({ schema, document, operation, contextValue }) {
          const { viewer } = contextValue;
          if (!operation) return;
          if (viewer.kind === 'partner' && (sentAsText || typeof persistedId !== 'string' || !options.trustedDocumentIds.has(persistedId))) {
            throw withStatus(refusal(ErrorCode.FORBIDDEN, 'API keys run registered operations only, sent by their persisted query id'), ErrorCode.FORBIDDEN);
          }
          const byOperation = needsByDocument.get(document) ?? new Map<string, OperationNeeds>();
          needsByDocument.set(document, byOperation);
          const operationKey = operation.name?.value ?? '';
          let needs = byOperation.get(operationKey);
          if (!needs) {
            needs = operationNeeds(schema, document, operation, options.requirements);
            byOperation.set(operationKey, needs);
          }
          if (options.production && needs.introspection && !isAdmin(viewer)) {
            const code = viewer.kind === 'anonymous' ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN;
            throw withStatus(refusal(code, 'introspection is for administrators'), code);
          }
          // Anything access-controlled is answered per caller, whatever the cache hints say.
          if (needs.fields.length > 0 || needs.introspection) contextValue.cache.callerSpecific = true;
          for (const field of needs.fields) {
            const code = refusalFor(viewer, options.requirements.get(field)!);
            if (code) throw withStatus(refusal(code, field), code);
          }
        },
      };
    },
  };
}

function withStatus<E extends { extensions: Record<string, unknown> }>(error: E, code: AccessRefusal): E {
  (error.extensions as { http?: unknown }).http = { status: statusOf(code) };
  return error;
}
