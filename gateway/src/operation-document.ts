import { Kind, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

/**
 * One operation of a document as a document of its own: the operation and the fragments it
 * spreads, directly or through other fragments, in the order `fragments` gives them. What a
 * trusted document's id is computed over, and what the passthrough sends for a client's
 * operation (docs/adr/0048).
 */
export function printOperation(operation: OperationDefinitionNode, fragments: readonly FragmentDefinitionNode[]): string {
  return print({ kind: Kind.DOCUMENT, definitions: [operation, ...usedFragments(operation, fragments)] });
}

function usedFragments(root: DefinitionNode, fragments: readonly FragmentDefinitionNode[]): FragmentDefinitionNode[] {
  const used = new Set<string>();
  const pending: DefinitionNode[] = [root];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        const fragment = fragments.find((candidate) => candidate.name.value === spread.name.value);
        if (fragment) pending.push(fragment);
      },
    });
  }
  return fragments.filter((fragment) => used.has(fragment.name.value));
}
