import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInputObjectType,
  isListType,
  isInterfaceType,
  isObjectType,
  isTypeDefinitionNode,
  isTypeExtensionNode,
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

// Demand control's static cost estimate (docs/adr/0009), as Apollo Router computes it after
// the IBM GraphQL Cost Directive specification, from the @cost and @listSize of the SDL.

export interface ListSize {
  assumedSize: number | null;
  slicingArguments: readonly string[];
  sizedFields: readonly string[];
}

export interface CostDirectives {
  /** @cost weight by type name (OBJECT, SCALAR, ENUM, ...). */
  types: ReadonlyMap<string, number>;
  /** @cost weight by `Type.field`. */
  fields: ReadonlyMap<string, number>;
  /** @cost weight by `Type.field(argument)`. */
  arguments: ReadonlyMap<string, number>;
  /** @listSize by `Type.field`. */
  listSizes: ReadonlyMap<string, ListSize>;
}

const COST_SPEC_URL = /^https:\/\/specs\.apollo\.dev\/(cost|federation)\/v[\d.]+$/;

interface DirectiveNames {
  cost: Set<string>;
  listSize: Set<string>;
}

const argumentValue = (directive: ConstDirectiveNode, name: string): unknown => {
  const argument = directive.arguments?.find((arg) => arg.name.value === name);
  return argument ? valueFromASTUntyped(argument.value) : undefined;
};

/**
 * The names @cost and @listSize go by in this document. A @link to the cost or federation
 * spec may import them under other names, or leave them namespaced (`@federation__cost`);
 * composition links the cost spec and then writes `@cost` bare, as the spec's own namesake.
 */
function directiveNamesOf(document: DocumentNode): DirectiveNames {
  const names: DirectiveNames = { cost: new Set(['cost']), listSize: new Set(['listSize']) };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const spec = COST_SPEC_URL.exec(String(argumentValue(link, 'url')))?.[1];
      if (!spec) continue;
      const namespace = String(argumentValue(link, 'as') ?? spec);
      names.cost.add(`${namespace}__cost`);
      names.listSize.add(`${namespace}__listSize`);
      if (spec === 'cost') names.cost.add(namespace);
      const imports = argumentValue(link, 'import');
      for (const imported of Array.isArray(imports) ? imports : []) {
        const { name, as } = typeof imported === 'string' ? { name: imported, as: imported } : (imported as { name: string; as?: string });
        const localName = (as ?? name).replace(/^@/, '');
        if (name === '@cost') names.cost.add(localName);
        if (name === '@listSize') names.listSize.add(localName);
      }
    }
  }
  return names;
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** Reads @cost and @listSize from an SDL: a subgraph's schema.graphql or the composed supergraph. */
export function costDirectivesFromSdl(sdl: DocumentNode): CostDirectives {
  const names = directiveNamesOf(sdl);
  const types = new Map<string, number>();
  const fields = new Map<string, number>();
  const args = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const weightOf = (directives: readonly ConstDirectiveNode[] | undefined): number | undefined => {
    const cost = directives?.find((directive) => names.cost.has(directive.name.value));
    const weight = cost ? Number(argumentValue(cost, 'weight')) : Number.NaN;
    return Number.isFinite(weight) ? weight : undefined;
  };
  for (const definition of sdl.definitions) {
    if (!isTypeDefinitionNode(definition) && !isTypeExtensionNode(definition)) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) types.set(typeName, typeWeight);
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      const key = `${typeName}.${field.name.value}`;
      const fieldWeight = weightOf(field.directives);
      if (fieldWeight !== undefined) fields.set(key, fieldWeight);
      for (const argument of field.arguments ?? []) {
        const argumentWeight = weightOf(argument.directives);
        if (argumentWeight !== undefined) args.set(`${key}(${argument.name.value})`, argumentWeight);
      }
      const listSize = field.directives?.find((directive) => names.listSize.has(directive.name.value));
      if (listSize) {
        const assumedSize = argumentValue(listSize, 'assumedSize');
        listSizes.set(key, {
          assumedSize: typeof assumedSize === 'number' ? assumedSize : null,
          slicingArguments: stringList(argumentValue(listSize, 'slicingArguments')),
          sizedFields: stringList(argumentValue(listSize, 'sizedFields')),
        });
      }
    }
  }
  return { types, fields, arguments: args, listSizes };
}

export interface CostEstimatorOptions {
  /** The size of a list whose field has no @listSize. */
  defaultListSize: number;
}

export interface CostEstimator {
  /**
   * Estimated cost of the named (or only) operation with these variables. The document's
   * analysis is compiled once per DocumentNode and operation name (WeakMap) and reused; each
   * call only evaluates it with the variables.
   */
  estimate(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | undefined): number;
}

type Variables = Readonly<Record<string, unknown>>;

interface VariableReference {
  name: string;
  /** The default the operation declares for it, if any. */
  operationDefault: unknown;
}

/** Where an argument's value comes from: written in the document, or a variable. */
type ValueSource = { literal: unknown } | { variable: VariableReference };

interface Condition {
  variable: VariableReference;
  /** @skip excludes on true, @include on false. */
  excludedWhen: boolean;
}

interface SizeRule {
  slicingArguments: Array<{ source: ValueSource; schemaDefault: unknown }>;
  /** assumedSize caps a slicing value: the subgraphs clamp `limit` to their page cap. */
  cap: number;
  /** Without a slicing value. */
  fallback: number;
}

/** How many times a field is resolved: once, as often as its list is long, or as long as its parent says. */
type InstanceCount = { kind: 'one' } | { kind: 'sizedByParent' } | { kind: 'list'; size: SizeRule };

interface CompiledField {
  conditions: Condition[];
  weight: number;
  instances: InstanceCount;
  constantArgumentsCost: number;
  variableArgumentCosts: Array<{ variable: VariableReference; weight: number }>;
  /** Set when the field's @listSize names sizedFields: the size it hands to them. */
  childSize: SizeRule | null;
  selection: CompiledSelectionSet | null;
}

interface CompiledFragment {
  conditions: Condition[];
  selection: CompiledSelectionSet;
}

interface CompiledSelectionSet {
  fields: CompiledField[];
  fragments: CompiledFragment[];
}

interface CompiledOperation {
  baseCost: number;
  selection: CompiledSelectionSet;
}

/**
 * A selection set's cost is affine in the size its parent field hands to the sized fields in
 * it: `fixed + size × perSizedItem`. Keeping the two apart lets a fragment's cost be computed
 * once per request wherever it is spread.
 */
interface SelectionCost {
  fixed: number;
  perSizedItem: number;
}

const NO_VARIABLES: Variables = {};
const NO_FIELDS: CompiledSelectionSet = { fields: [], fragments: [] };
const NOTHING_SIZED: ReadonlySet<string> = new Set();

// Costs stay finite numbers however deep the lists nest: past the largest double they
// saturate, which any maximum refuses, rather than turn into Infinity and then NaN (0 × Infinity).
const bounded = (value: number) => Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, value));
const add = (left: number, right: number) => bounded(left + right);
const multiply = (count: number, cost: number) => (count === 0 || cost === 0 ? 0 : bounded(count * cost));

function valueOf(variable: VariableReference, variables: Variables): unknown {
  return Object.hasOwn(variables, variable.name) && variables[variable.name] !== undefined ? variables[variable.name] : variable.operationDefault;
}

const sourceValue = (source: ValueSource, variables: Variables): unknown => ('literal' in source ? source.literal : valueOf(source.variable, variables));

/** A slicing value as a list length: negative or non-integer values ask for nothing. */
const asLength = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0);

function sizeOf(rule: SizeRule, variables: Variables): number {
  let largest: number | null = null;
  for (const { source, schemaDefault } of rule.slicingArguments) {
    // Left out or null, a slicing argument counts at its default in the schema, as in Apollo Router.
    const value = sourceValue(source, variables) ?? schemaDefault;
    if (value === null || value === undefined) continue;
    largest = Math.max(largest ?? 0, asLength(value));
  }
  return largest === null ? rule.fallback : Math.min(largest, rule.cap);
}

const isExcluded = (conditions: readonly Condition[], variables: Variables) =>
  conditions.some((condition) => valueOf(condition.variable, variables) === condition.excludedWhen);

/** Evaluates a compiled selection set; `fragmentCosts` holds this request's cost of each shared fragment. */
function evaluate(selection: CompiledSelectionSet, variables: Variables, fragmentCosts: Map<CompiledSelectionSet, SelectionCost>): SelectionCost {
  let fixed = 0;
  let perSizedItem = 0;
  for (const field of selection.fields) {
    if (isExcluded(field.conditions, variables)) continue;
    let argumentsCost = field.constantArgumentsCost;
    for (const { variable, weight } of field.variableArgumentCosts) {
      const value = valueOf(variable, variables);
      if (value !== null && value !== undefined) argumentsCost = add(argumentsCost, weight);
    }
    let perInstance = field.weight;
    if (field.selection) {
      const children = evaluate(field.selection, variables, fragmentCosts);
      const childSize = field.childSize ? sizeOf(field.childSize, variables) : 0;
      perInstance = add(perInstance, add(children.fixed, multiply(childSize, children.perSizedItem)));
    }
    switch (field.instances.kind) {
      case 'one':
        fixed = add(fixed, add(perInstance, argumentsCost));
        break;
      case 'list':
        fixed = add(fixed, add(multiply(sizeOf(field.instances.size, variables), perInstance), argumentsCost));
        break;
      case 'sizedByParent':
        perSizedItem = add(perSizedItem, perInstance);
        fixed = add(fixed, argumentsCost);
        break;
    }
  }
  for (const fragment of selection.fragments) {
    if (isExcluded(fragment.conditions, variables)) continue;
    let cost = fragmentCosts.get(fragment.selection);
    if (!cost) {
      cost = evaluate(fragment.selection, variables, fragmentCosts);
      fragmentCosts.set(fragment.selection, cost);
    }
    fixed = add(fixed, cost.fixed);
    perSizedItem = add(perSizedItem, cost.perSizedItem);
  }
  return { fixed, perSizedItem };
}

function compileOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  directives: CostDirectives,
  options: CostEstimatorOptions,
): CompiledOperation {
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new Error(operationName ? `No operation named ${operationName} in the document` : 'The document has no single operation to estimate');
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) throw new Error(`The schema has no ${operation.operation} type`);

  const operationDefaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) operationDefaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }
  const variableReference = (name: string): VariableReference => ({ name, operationDefault: operationDefaults.get(name) });
  const sourceOf = (value: ValueNode): ValueSource =>
    value.kind === Kind.VARIABLE ? { variable: variableReference(value.name.value) } : { literal: valueFromASTUntyped(value) };

  const fragmentDefinitions = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragmentDefinitions.set(definition.name.value, definition);
  }
  // A fragment compiles once per set of sized field names it is spread under (its fields
  // may be sized by the field it is spread in); a spread of a fragment being compiled (a
  // cycle, which validation refuses) adds nothing.
  const compiledFragments = new Map<string, CompiledSelectionSet>();
  const fragmentsBeingCompiled = new Set<string>();

  /** Null when the directives leave the node out whatever the variables. */
  function conditionsOf(nodeDirectives: readonly DirectiveNode[] | undefined): Condition[] | null {
    const conditions: Condition[] = [];
    for (const directive of nodeDirectives ?? []) {
      if (directive.name.value !== 'skip' && directive.name.value !== 'include') continue;
      const excludedWhen = directive.name.value === 'skip';
      const test = directive.arguments?.find((arg) => arg.name.value === 'if')?.value;
      if (!test) continue;
      if (test.kind === Kind.VARIABLE) conditions.push({ variable: variableReference(test.name.value), excludedWhen });
      else if (valueFromASTUntyped(test) === excludedWhen) return null;
    }
    return conditions;
  }

  const defaultSize: SizeRule = { slicingArguments: [], cap: Number.POSITIVE_INFINITY, fallback: options.defaultListSize };
  const typeWeight = (type: GraphQLNamedType) => directives.types.get(type.name) ?? (isCompositeType(type) ? 1 : 0);

  function sizeRule(listSize: ListSize, field: GraphQLField<unknown, unknown>, node: FieldNode): SizeRule {
    const slicingArguments: SizeRule['slicingArguments'] = [];
    for (const name of listSize.slicingArguments) {
      const definition = field.args.find((arg) => arg.name === name);
      if (!definition) continue;
      const given = node.arguments?.find((arg) => arg.name.value === name);
      slicingArguments.push({ source: given ? sourceOf(given.value) : { literal: undefined }, schemaDefault: definition.defaultValue });
    }
    return {
      slicingArguments,
      cap: listSize.assumedSize ?? Number.POSITIVE_INFINITY,
      fallback: listSize.assumedSize ?? options.defaultListSize,
    };
  }

  function argumentsCostOf(key: string, field: GraphQLField<unknown, unknown>, node: FieldNode) {
    let constantArgumentsCost = 0;
    const variableArgumentCosts: CompiledField['variableArgumentCosts'] = [];
    for (const argument of node.arguments ?? []) {
      const definition: GraphQLArgument | undefined = field.args.find((arg) => arg.name === argument.name.value);
      if (!definition) continue;
      const weight = directives.arguments.get(`${key}(${definition.name})`) ?? (isInputObjectType(getNamedType(definition.type)) ? 1 : 0);
      if (weight === 0 || argument.value.kind === Kind.NULL) continue;
      if (argument.value.kind === Kind.VARIABLE) variableArgumentCosts.push({ variable: variableReference(argument.value.name.value), weight });
      else constantArgumentsCost = add(constantArgumentsCost, weight);
    }
    return { constantArgumentsCost, variableArgumentCosts };
  }

  function compileField(node: FieldNode, parentType: GraphQLCompositeType, sizedFieldNames: ReadonlySet<string>): CompiledField | null {
    // Introspection is answered by the gateway itself.
    if (node.name.value.startsWith('__')) return null;
    const conditions = conditionsOf(node.directives);
    if (!conditions) return null;
    const field = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[node.name.value] : undefined;
    if (!field) throw new Error(`${parentType.name}.${node.name.value} is not in the schema`);
    const key = `${parentType.name}.${field.name}`;
    const returnType = getNamedType(field.type);
    const isList = isListType(getNullableType(field.type));
    const listSize = directives.listSizes.get(key);
    const sizesChildren = listSize !== undefined && listSize.sizedFields.length > 0;
    let instances: InstanceCount;
    if (isList && sizedFieldNames.has(field.name)) instances = { kind: 'sizedByParent' };
    else if (!isList || sizesChildren) instances = { kind: 'one' };
    else instances = { kind: 'list', size: listSize ? sizeRule(listSize, field, node) : defaultSize };
    return {
      conditions,
      weight: directives.fields.get(key) ?? typeWeight(returnType),
      instances,
      ...argumentsCostOf(key, field, node),
      childSize: sizesChildren ? sizeRule(listSize, field, node) : null,
      selection:
        node.selectionSet && isCompositeType(returnType)
          ? compileSelectionSet(node.selectionSet, returnType, sizesChildren ? new Set(listSize.sizedFields) : NOTHING_SIZED)
          : null,
    };
  }

  function compileFragmentSpread(name: string, sizedFieldNames: ReadonlySet<string>): CompiledSelectionSet {
    const key = `${name}\u0000${[...sizedFieldNames].join(',')}`;
    const compiled = compiledFragments.get(key);
    if (compiled) return compiled;
    const definition = fragmentDefinitions.get(name);
    if (!definition || fragmentsBeingCompiled.has(key)) return NO_FIELDS;
    fragmentsBeingCompiled.add(key);
    const selection = compileSelectionSet(definition.selectionSet, compositeType(definition.typeCondition.name.value), sizedFieldNames);
    fragmentsBeingCompiled.delete(key);
    compiledFragments.set(key, selection);
    return selection;
  }

  function compositeType(name: string): GraphQLCompositeType {
    const type = schema.getType(name);
    if (!isCompositeType(type)) throw new Error(`${name} is not an object, interface or union type of the schema`);
    return type;
  }

  // Fields under every type condition count, on abstract types too: an upper bound, as Apollo Router does.
  function compileSelectionSet(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, sizedFieldNames: ReadonlySet<string>): CompiledSelectionSet {
    const compiled: CompiledSelectionSet = { fields: [], fragments: [] };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = compileField(selection, parentType, sizedFieldNames);
        if (field) compiled.fields.push(field);
        continue;
      }
      const conditions = conditionsOf(selection.directives);
      if (!conditions) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeCondition = selection.typeCondition ? compositeType(selection.typeCondition.name.value) : parentType;
        compiled.fragments.push({ conditions, selection: compileSelectionSet(selection.selectionSet, typeCondition, sizedFieldNames) });
      } else {
        compiled.fragments.push({ conditions, selection: compileFragmentSpread(selection.name.value, sizedFieldNames) });
      }
    }
    return compiled;
  }

  return {
    baseCost: operation.operation === OperationTypeNode.MUTATION ? 10 : 0,
    selection: compileSelectionSet(operation.selectionSet, rootType, NOTHING_SIZED),
  };
}

export function createCostEstimator(directives: CostDirectives, options: CostEstimatorOptions): CostEstimator {
  // Keyed by schema too: a document compiled against one schema says nothing about another.
  const compiled = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, CompiledOperation>>>();
  return {
    estimate(schema, document, operationName, variables) {
      let bySchema = compiled.get(schema);
      if (!bySchema) compiled.set(schema, (bySchema = new WeakMap()));
      let byName = bySchema.get(document);
      if (!byName) bySchema.set(document, (byName = new Map()));
      const nameKey = operationName ?? '';
      let operation = byName.get(nameKey);
      if (!operation) byName.set(nameKey, (operation = compileOperation(schema, document, operationName, directives, options)));
      const cost = evaluate(operation.selection, variables ?? NO_VARIABLES, new Map());
      return add(operation.baseCost, cost.fixed);
    },
  };
}
