import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects the path of fields below it (through fragments), so
 * that a read can bring along what the selection will ask for next instead of a second read.
 * A field skipped by a directive still counts: reading it along costs time, not correctness.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const [depth, name] of path.entries()) {
    const found = sets.flatMap((set) => fieldsNamed(info, set, name));
    if (found.length === 0) return false;
    if (depth === path.length - 1) return true;
    sets = found.flatMap((field) => (field ? [field] : []));
  }
  return false;
}

/** The selection sets of the fields of that name in a selection set (undefined for a leaf field). */
function fieldsNamed(info: GraphQLResolveInfo, set: SelectionSetNode, name: string): Array<SelectionSetNode | undefined> {
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name ? [selection.selectionSet] : [];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsNamed(info, selection.selectionSet, name);
    const fragment = info.fragments[selection.name.value];
    return fragment ? fieldsNamed(info, fragment.selectionSet, name) : [];
  });
}
