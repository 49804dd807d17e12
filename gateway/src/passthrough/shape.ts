import {
  getNamedType,
  isEnumType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  isUnionType,
  Kind,
  print,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionNode,
} from 'graphql';

/**
 * One field of an answer as it is written: its key, what it resolves, its type as the schema
 * declares it (an enum with its values), and the fields under it. Two selections with the same
 * shapes produce the same JSON from the same resolvers, key for key and in the same order.
 */
export interface FieldShape {
  key: string;
  field: string;
  /** The arguments as written, by name: `name:value`. */
  arguments: string;
  type: string;
  fields: FieldShape[] | null;
}

/**
 * The shape of the answer to `selections` on `parent`, merged as graphql-js's collectFields
 * merges them (fields by response key, in first-seen order; fragments that apply, inlined). Null
 * when it holds what only a gateway's own result shaping gets right:
 * - a directive (@skip, @include, @defer; anything whose meaning depends on who reads it);
 * - a field of an interface or union type (the planner adds `__typename`, and the gateway
 *   picks the fields of each runtime type);
 * - a fragment that may not apply to every object it spreads on.
 */
export function shapeOf(
  schema: GraphQLSchema,
  parent: GraphQLObjectType,
  selections: readonly SelectionNode[],
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): FieldShape[] | null {
  const byKey = new Map<string, { field: string; arguments: string; selections: SelectionNode[] }>();
  const collect = (from: readonly SelectionNode[]): boolean => {
    for (const selection of from) {
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const argumentsWritten = (selection.arguments ?? [])
          .map((argument) => `${argument.name.value}:${print(argument.value)}`)
          .sort()
          .join(',');
        const seen = byKey.get(key);
        // Validation lets one key repeat only for the same field with the same arguments.
        if (seen && (seen.field !== selection.name.value || seen.arguments !== argumentsWritten)) return false;
        const entry = seen ?? { field: selection.name.value, arguments: argumentsWritten, selections: [] };
        if (selection.selectionSet) entry.selections.push(...selection.selectionSet.selections);
        byKey.set(key, entry);
        continue;
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments[selection.name.value] : selection;
      if (!fragment || fragment.directives?.length) return false;
      const condition = fragment.typeCondition?.name.value;
      if (condition !== undefined && !appliesTo(schema, condition, parent)) return false;
      if (!collect(fragment.selectionSet.selections)) return false;
    }
    return true;
  };
  if (!collect(selections)) return null;

  const shapes: FieldShape[] = [];
  for (const [key, { field, arguments: argumentsWritten, selections: below }] of byKey) {
    if (field === '__typename') {
      shapes.push({ key, field, arguments: '', type: `String!=${parent.name}`, fields: null });
      continue;
    }
    const definition = parent.getFields()[field];
    if (!definition) return null;
    const named = getNamedType(definition.type);
    let fields: FieldShape[] | null = null;
    if (isObjectType(named)) {
      fields = shapeOf(schema, named, below, fragments);
      if (!fields) return null;
    } else if (!isLeafType(named)) {
      return null;
    }
    shapes.push({ key, field, arguments: argumentsWritten, type: typeWritten(definition.type.toString(), named), fields });
  }
  return shapes;
}

/** An object type's fragment applies when its condition names the type or an abstract type the type is one of. */
function appliesTo(schema: GraphQLSchema, condition: string, parent: GraphQLObjectType): boolean {
  if (condition === parent.name) return true;
  const type = schema.getType(condition);
  return (isInterfaceType(type) || isUnionType(type)) && schema.isSubType(type, parent);
}

/** An enum's values are part of its type here: the gateway nulls a value its API schema hides. */
const typeWritten = (declared: string, named: GraphQLNamedType) =>
  isEnumType(named) ? `${declared}{${named.getValues().map((value) => value.name).join(',')}}` : declared;
