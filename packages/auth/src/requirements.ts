import { Kind, type ConstDirectiveNode, type DocumentNode, type TypeNode } from 'graphql';
import { ErrorCode } from '@shop/errors';
import { scopesOf } from './scopes.js';
import type { Viewer } from './viewer.js';

/**
 * What a field asks of its caller, read from federation's `@authenticated` and
 * `@requiresScopes` in SDL. `anyOf` lists alternatives, each a set of scopes that must all
 * be held, as `@requiresScopes(scopes: [["a", "b"], ["c"]])` means (a and b) or c.
 */
export interface AccessRequirement {
  authenticated: boolean;
  anyOf: ReadonlyArray<readonly string[]> | null;
}

/** Keyed by `Type.field`; fields without a directive are public. */
export type AccessRequirements = ReadonlyMap<string, AccessRequirement>;

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

function scopesArgument(directive: ConstDirectiveNode): string[][] {
  const argument = directive.arguments?.find((arg) => arg.name.value === 'scopes');
  if (argument?.value.kind !== Kind.LIST) throw new Error('@requiresScopes needs a scopes list');
  return argument.value.values.map((alternative) => {
    if (alternative.kind !== Kind.LIST) throw new Error('@requiresScopes takes a list of scope lists');
    return alternative.values.map((scope) => {
      if (scope.kind !== Kind.STRING) throw new Error('a scope is a string');
      return scope.value;
    });
  });
}

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined): AccessRequirement | null {
  let requirement: AccessRequirement | null = null;
  for (const directive of directives ?? []) {
    if (directive.name.value === 'authenticated') {
      requirement = both(requirement, { authenticated: true, anyOf: null });
    } else if (directive.name.value === 'requiresScopes') {
      requirement = both(requirement, { authenticated: true, anyOf: scopesArgument(directive) });
    }
  }
  return requirement;
}

/** Both requirements at once: alternatives multiply out, (a or b) and c = (a and c) or (b and c). */
function both(left: AccessRequirement | null, right: AccessRequirement | null): AccessRequirement | null {
  if (!left) return right;
  if (!right) return left;
  const anyOf =
    left.anyOf && right.anyOf
      ? left.anyOf.flatMap((a) => right.anyOf!.map((b) => [...new Set([...a, ...b])]))
      : (left.anyOf ?? right.anyOf);
  return { authenticated: left.authenticated || right.authenticated, anyOf };
}

/**
 * Reads every requirement of a schema document (a subgraph's SDL or the supergraph). As in
 * Apollo Router, a directive on a type applies to every field that returns that type.
 */
export function accessRequirementsFromSdl(document: DocumentNode): AccessRequirements {
  const byType = new Map<string, AccessRequirement>();
  const fields: Array<{ key: string; returns: string; requirement: AccessRequirement | null }> = [];
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    const typeName = definition.name.value;
    const onType = requirementOf(definition.directives);
    if (onType) byType.set(typeName, both(byType.get(typeName) ?? null, onType)!);
    for (const field of definition.fields ?? []) {
      fields.push({ key: `${typeName}.${field.name.value}`, returns: namedType(field.type), requirement: requirementOf(field.directives) });
    }
  }
  const requirements = new Map<string, AccessRequirement>();
  for (const { key, returns, requirement } of fields) {
    const combined = both(requirement, byType.get(returns) ?? null);
    if (combined) requirements.set(key, combined);
  }
  return requirements;
}

export type AccessRefusal = typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.FORBIDDEN;

/** Null when the viewer meets the requirement; otherwise the code to refuse with. */
export function refusalFor(viewer: Viewer, requirement: AccessRequirement): AccessRefusal | null {
  const held = new Set(scopesOf(viewer));
  const allowed =
    (!requirement.authenticated || viewer.kind !== 'anonymous') &&
    (requirement.anyOf === null || requirement.anyOf.some((scopes) => scopes.every((scope) => held.has(scope))));
  if (allowed) return null;
  return viewer.kind === 'anonymous' ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN;
}
