import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, Kind, type GraphQLFormattedError, type ParseOptions, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { ApolloErrorCode, ErrorCode } from '@shop/errors';

/** Bounds on an operation's shape; a bound left out is not checked. */
export interface StructuralLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases?: number;
  maxRootFields?: number;
  maxDirectives?: number;
}

type LimitCode =
  | typeof ErrorCode.MAX_DEPTH_LIMIT
  | typeof ErrorCode.MAX_ALIASES_LIMIT
  | typeof ErrorCode.MAX_ROOT_FIELDS_LIMIT
  | typeof ErrorCode.MAX_DIRECTIVES_LIMIT;

const limitCodes = new Set<string>([
  ErrorCode.MAX_DEPTH_LIMIT,
  ErrorCode.MAX_ALIASES_LIMIT,
  ErrorCode.MAX_ROOT_FIELDS_LIMIT,
  ErrorCode.MAX_DIRECTIVES_LIMIT,
]);

/**
 * graphql-armor's rules throw out of `validate` by default, which Apollo Server answers with a
 * 500; reported instead, the refusal is a validation error (400) that keeps its own code.
 */
const reportAs =
  (code: LimitCode) =>
  (context: ValidationContext | null, error: GraphQLError): void => {
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } }));
  };

const armorOptions = (n: number, code: LimitCode) => ({ n, propagateOnRejection: false, onReject: [reportAs(code)] });

/** Root fields of the operation, counting those its fragments bring in (graphql-armor has no such rule). */
function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => {
    const count = (selectionSet: SelectionSetNode, seen: Set<string>): number => {
      let fields = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) fields += 1;
        else if (selection.kind === Kind.INLINE_FRAGMENT) fields += count(selection.selectionSet, seen);
        else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = context.getFragment(selection.name.value);
          if (fragment) fields += count(fragment.selectionSet, seen);
        }
      }
      return fields;
    };
    return {
      OperationDefinition(operation) {
        const fields = count(operation.selectionSet, new Set());
        if (fields > max) reportAs(ErrorCode.MAX_ROOT_FIELDS_LIMIT)(context, new GraphQLError(`Root fields limit of ${max} exceeded, found ${fields}.`));
      },
    };
  };
}

/** Validation rules that refuse an operation past the limits, before it is planned or executed. */
export function structuralLimitRules(limits: StructuralLimits): ValidationRule[] {
  const rules: ValidationRule[] = [maxDepthRule(armorOptions(limits.maxDepth, ErrorCode.MAX_DEPTH_LIMIT))];
  if (limits.maxAliases !== undefined) rules.push(maxAliasesRule(armorOptions(limits.maxAliases, ErrorCode.MAX_ALIASES_LIMIT)));
  if (limits.maxDirectives !== undefined) rules.push(maxDirectivesRule(armorOptions(limits.maxDirectives, ErrorCode.MAX_DIRECTIVES_LIMIT)));
  if (limits.maxRootFields !== undefined) rules.push(maxRootFieldsRule(limits.maxRootFields));
  return rules;
}

/** graphql-js stops lexing past `maxTokens`, so an oversized document costs no more than the limit to refuse. */
export const limitedParseOptions = (limits: StructuralLimits): ParseOptions => ({ maxTokens: limits.maxTokens });

/** graphql-js's own wording when a document passes `maxTokens` (16.x misspells "than" as "that"). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more tha[nt] \d+ tokens\. Parsing aborted\.$/;

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Apollo Server codes every validation failure GRAPHQL_VALIDATION_FAILED and every parse
 * failure GRAPHQL_PARSE_FAILED; a limit's refusal gets its own code back, so a client can
 * tell "too deep" from "misspelt field".
 */
export const withLimitCodes =
  (format: FormatError): FormatError =>
  (formatted, error) => {
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    const originalCode = original instanceof GraphQLError ? original.extensions.code : undefined;
    let code: string | undefined;
    if (formatted.extensions?.code === ApolloErrorCode.GRAPHQL_VALIDATION_FAILED && typeof originalCode === 'string' && limitCodes.has(originalCode)) {
      code = originalCode;
    } else if (formatted.extensions?.code === ApolloErrorCode.GRAPHQL_PARSE_FAILED && TOO_MANY_TOKENS.test(formatted.message)) {
      code = ErrorCode.MAX_TOKENS_LIMIT;
    }
    return format(code ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted, error);
  };
