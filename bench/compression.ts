// npm run bench:compression — what compressing a cache hit costs (docs/adr/0024): gzip and
// brotli of one product listing per answer, against the kept compressed bytes of a stored
// entry (what a response-cache hit gets), in this process. Baseline: the answer sent as is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { answerCompression, type GraphQLAnswer } from '@shop/graphql-kit';

const ROUNDS = 2_000;
const PRODUCTS = 50;

/** An answer shaped like the storefront's Products listing of 50 items. */
const body = Buffer.from(
  JSON.stringify({
    data: {
      products: {
        items: Array.from({ length: PRODUCTS }, (_, index) => ({
          id: `7f3e${String(index).padStart(4, '0')}-9c1d-4f5a-8b7e-2d4c6a8e0f1${index % 10}`,
          name: `Brass desk lamp, model ${index}`,
          description: `A lamp with an adjustable arm and a warm ${2700 + index} K bulb; ships in ${1 + (index % 5)} days.`,
          brand: ['Lumen', 'Aster', 'Nordlys', 'Halo'][index % 4],
          imageUrl: `https://cdn.shop.example/products/${index}.jpg`,
          inStock: index % 7 !== 0,
          price: { amount: `${(19.99 + index * 3.5).toFixed(2)}`, currency: 'USD' },
          category: { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Desk lamps' },
        })),
        meta: { totalItems: 500, currentPage: 1, totalPages: 10, itemsPerPage: PRODUCTS },
      },
    },
  }),
);

const requestAccepting = (encoding: string) => ({ headers: { 'accept-encoding': encoding } }) as unknown as IncomingMessage;
const response = () => {
  const headers = new Map<string, unknown>();
  return { getHeader: (name: string) => headers.get(name), setHeader: (name: string, value: unknown) => headers.set(name, value) } as unknown as ServerResponse;
};
const answer = (reuseKey?: string): GraphQLAnswer => ({ status: 200, headers: new Map([['content-type', 'application/json']]), body, reuseKey });

async function microsPerAnswer(label: string, encoding: string, reuseKey?: string): Promise<{ micros: number; bytes: number }> {
  const compress = answerCompression();
  const request = requestAccepting(encoding);
  let bytes = 0;
  for (let round = 0; round < ROUNDS / 10; round += 1) await compress(request, response(), answer(reuseKey)); // warm-up
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round += 1) bytes = (await compress(request, response(), answer(reuseKey))).body.length;
  const micros = ((performance.now() - started) * 1000) / ROUNDS;
  console.log(`${label.padEnd(40)} ${micros.toFixed(1).padStart(8)} µs per answer   ${String(bytes).padStart(6)} bytes sent`);
  return { micros, bytes };
}

console.log(`${ROUNDS} answers of ${body.length} bytes each, one after another (${process.platform}, Node ${process.version})`);
const identity = await microsPerAnswer('identity (baseline)', 'identity');
const gzipEach = await microsPerAnswer('gzip, compressed per answer', 'gzip');
const brEach = await microsPerAnswer('brotli q5, compressed per answer', 'br');
const gzipKept = await microsPerAnswer('gzip, kept per cache entry', 'gzip', 'entry');
const brKept = await microsPerAnswer('brotli q5, kept per cache entry', 'br', 'entry');
console.log(`kept / per answer: gzip ${(gzipKept.micros / gzipEach.micros).toFixed(3)}, brotli ${(brKept.micros / brEach.micros).toFixed(3)}`);
console.log(`kept - identity: gzip ${(gzipKept.micros - identity.micros).toFixed(1)} µs, brotli ${(brKept.micros - identity.micros).toFixed(1)} µs`);
console.log(`bytes / identity: gzip ${(gzipEach.bytes / identity.bytes).toFixed(3)}, brotli ${(brEach.bytes / identity.bytes).toFixed(3)}`);
