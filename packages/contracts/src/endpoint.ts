import type { z } from 'zod';

/**
 * A service-to-service endpoint: a JSON POST to `path`, beside the serving subgraph's GraphQL
 * endpoint, signed by the gateway's keys for that subgraph (docs/adr/0011). The caller
 * validates the answer and the server the request, each against the same schema.
 */
export interface InternalEndpoint<Request extends z.ZodType = z.ZodType, Answer extends z.ZodType = z.ZodType> {
  path: `/internal/${string}`;
  request: Request;
  answer: Answer;
}

export const internalEndpoint = <Request extends z.ZodType, Answer extends z.ZodType>(endpoint: InternalEndpoint<Request, Answer>) => endpoint;

/** What a caller sends. */
export type RequestOf<Endpoint extends InternalEndpoint> = z.input<Endpoint['request']>;
/** What the server's handler receives: the request as its schema read it (ids lowercased, defaults filled in). */
export type ParsedRequestOf<Endpoint extends InternalEndpoint> = z.output<Endpoint['request']>;
/** What the server's handler answers. */
export type AnswerToSend<Endpoint extends InternalEndpoint> = z.input<Endpoint['answer']>;
/** What a caller receives, once checked. */
export type AnswerOf<Endpoint extends InternalEndpoint> = z.output<Endpoint['answer']>;

export type Checked<Value> = { ok: true; value: Value } | { ok: false; message: string };

/** Reads `value` with `schema`; a refusal says which fields are wrong and why, in one line. */
export function checked<Schema extends z.ZodType>(schema: Schema, value: unknown): Checked<z.output<Schema>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return { ok: false, message };
}
