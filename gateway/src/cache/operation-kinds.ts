import { Kind, parse, type OperationTypeNode } from 'graphql';
import { LRUCache } from 'lru-cache';

type OperationKind = `${OperationTypeNode}`;

/**
 * Documents told apart before executing, by their keys' length (a request names any operation
 * it likes): some 30,000 operations, far more than clients send.
 */
const REMEMBERED_OPERATION_CHARACTERS = 2 * 1024 * 1024;

function kindInText(text: string, operationName: string, maxTokens: number): OperationKind | null {
  try {
    const operations = parse(text, { noLocation: true, maxTokens }).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    const chosen = operationName ? operations.find((operation) => operation.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    return chosen?.operation ?? null;
  } catch {
    return null; // Apollo refuses the document (too many tokens included) with its own error.
  }
}

/**
 * Whether a request runs a query, a mutation or a subscription, before it executes: only
 * queries are looked up and computed once for concurrent callers. A mutation waiting on an
 * identical one would run after it instead of beside it, and across instances would wait
 * for an answer that is never stored. Told from the text (or the trusted document) once per
 * document; a document sent by hash only is learned from its first execution.
 */
export function createOperationKinds(trustedDocuments: ReadonlyMap<string, string>, maxTokens: number) {
  const kinds = new LRUCache<string, OperationKind>({ maxSize: REMEMBERED_OPERATION_CHARACTERS, sizeCalculation: (_, key) => key.length });
  const keyOf = (documentId: string, operationName: string) => `${documentId}\u0000${operationName}`;
  return {
    /** null while it cannot be told (a registered query sent by hash, never seen executing). */
    of(documentId: string, operationName: string, text: string | null): OperationKind | null {
      const key = keyOf(documentId, operationName);
      const known = kinds.get(key);
      if (known) return known;
      const source = text ?? trustedDocuments.get(documentId) ?? null;
      const kind = source === null ? null : kindInText(source, operationName, maxTokens);
      if (kind) kinds.set(key, kind);
      return kind;
    },
    learn(documentId: string, operationName: string, kind: OperationKind) {
      kinds.set(keyOf(documentId, operationName), kind);
    },
  };
}
