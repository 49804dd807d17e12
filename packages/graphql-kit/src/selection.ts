import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** The fields named `name` in a selection set, through fragments and inline fragments. */
function fieldsNamed(info: GraphQLResolveInfo, selectionSet: SelectionSetNode | undefined, name: string): FieldNode[] {
  return (selectionSet?.selections ?? []).flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name ? [selection] : [];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsNamed(info, selection.selectionSet, name);
    return fieldsNamed(info, info.fragments[selection.name.value]?.selectionSet, name);
  });
}

/**
 * Whether the field being resolved selects, under `path`, any of `leaves`: so that a read can
 * bring along what the selection asks for next (or leave out what it does not). Directives are
 * not judged: a field under @skip counts as selected, which costs work and never an answer.
 */
export function selectsAny(info: GraphQLResolveInfo, path: readonly string[], leaves: readonly string[]): boolean {
  let fields: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) fields = fields.flatMap((field) => fieldsNamed(info, field.selectionSet, name));
  return fields.some((field) => leaves.some((leaf) => fieldsNamed(info, field.selectionSet, leaf).length > 0));
}
