import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';
import type { GraphQLAnswer } from './http-server.js';

/** Below this, compressing costs more than the bytes it saves. */
const MIN_COMPRESSED_BYTES = 1024;
/** Compressed forms of answers that come back (response-cache hits), kept in this process. */
const KEPT_COMPRESSED_BYTES = 16 * 1024 * 1024;

type Encoding = 'br' | 'gzip';
/** The server's preference when the client states none: brotli is the smaller. */
const PREFERRED = ['br', 'gzip', 'identity'];

const compressors: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  // Quality 5 of 11: 11 costs some thirty times more, too much for answers made per request.
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => promisify(gzip)(body),
};

// negotiator 1.x breaks a tie between encodings by the server's preference; @types/negotiator (0.6) predates it.
type EncodingNegotiator = { encoding(available: string[], options: { preferred: string[] }): string | undefined };

export type AnswerCompression = (request: IncomingMessage, response: ServerResponse, answer: GraphQLAnswer) => Promise<GraphQLAnswer>;

/**
 * gzip or brotli, as the request's Accept-Encoding prefers, for answers of 1 KiB or more
 * (docs/adr/0024). An answer with a `reuseKey` (a response-cache hit) is compressed once per
 * encoding and kept, so that a hit stays a lookup and a write.
 */
export function answerCompression(): AnswerCompression {
  const kept = new LRUCache<string, Buffer>({ maxSize: KEPT_COMPRESSED_BYTES, sizeCalculation: (body) => body.length + 64 });
  return async (request, response, answer) => {
    if (answer.body.length < MIN_COMPRESSED_BYTES) return answer;
    const varies = response.getHeader('vary');
    response.setHeader('vary', varies ? `${String(varies)}, Accept-Encoding` : 'Accept-Encoding');
    const encoding = (new Negotiator(request) as unknown as EncodingNegotiator).encoding(PREFERRED, { preferred: PREFERRED });
    if (encoding !== 'br' && encoding !== 'gzip') return answer;
    const keptAs = answer.reuseKey === undefined ? undefined : `${encoding} ${answer.reuseKey}`;
    let body = keptAs === undefined ? undefined : kept.get(keptAs);
    if (!body) {
      body = await compressors[encoding](answer.body);
      if (keptAs !== undefined) kept.set(keptAs, body);
    }
    return { ...answer, headers: new Map(answer.headers).set('content-encoding', encoding), body };
  };
}
