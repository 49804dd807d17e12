import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * The GraphQL spec's "Operation Type Existence": an operation of a type the schema has no root
 * for (a subscription: this API has none) makes the document invalid, refused with the other
 * validation errors (400). graphql-js 17 has this rule (KnownOperationTypesRule); 16 does not,
 * and lets such an operation through to execution.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (context.getSchema().getRootType(operation.operation)) return;
    context.reportError(new GraphQLError(`The ${operation.operation} operation is not supported by the schema.`, { nodes: operation }));
  },
});
