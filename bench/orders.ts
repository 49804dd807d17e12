// npm run bench:orders — one placeOrder through the gateway (the whole saga: order recorded,
// stock reserved and committed in catalog, order confirmed), side by side with addToCart
// (one write in orders after one catalog lookup) as the baseline, then a burst of
// concurrent orders for one product. PGlite, and real PostgreSQL when TEST_POSTGRES_URL is set.
import { randomUUID } from 'node:crypto';
import { catalogBuilders } from '@shop/catalog/testing';
import { contractOperation, placeOrder, signedInUser, startTestSupergraph, testBackends } from '@shop/supergraph-tests';
import { time, wallTime } from './timing.js';

const ROUNDS = 100;
const BURST = 50;
const AddToCart = contractOperation('frontend', 'AddToCart');

console.log(`${ROUNDS} sequential requests each, then ${BURST} at once, through the gateway over HTTP (${process.platform}, Node ${process.version})`);
for (const backend of testBackends()) {
  const supergraph = await startTestSupergraph(backend);
  try {
    const build = catalogBuilders(supergraph.catalog.prisma);
    const shopper = await signedInUser(supergraph);
    const products = await Promise.all(Array.from({ length: 3 }, () => build.product({ stockQuantity: 1_000_000 })));
    console.log(`\n${backend}`);
    const cart = await time('addToCart (baseline)', ROUNDS, (round) =>
      supergraph.request({ query: AddToCart, variables: { productId: products[round % 3]!.id, quantity: 1 }, headers: shopper.headers }),
    );
    const one = await time('placeOrder, 1 line', ROUNDS, () => placeOrder(supergraph, shopper, [{ productId: products[0]!.id, quantity: 1 }]));
    const three = await time('placeOrder, 3 lines', ROUNDS, () =>
      placeOrder(supergraph, shopper, products.map((product) => ({ productId: product.id, quantity: 1 }))),
    );
    const key = randomUUID();
    await placeOrder(supergraph, shopper, [{ productId: products[0]!.id, quantity: 1 }], key);
    const replay = await time('placeOrder replayed (same key)', ROUNDS, () => placeOrder(supergraph, shopper, [{ productId: products[0]!.id, quantity: 1 }], key));
    console.log(`placeOrder / addToCart: 1 line ${(one / cart).toFixed(2)}, 3 lines ${(three / cart).toFixed(2)}; replay / placeOrder ${(replay / one).toFixed(2)}`);

    const hot = await build.product({ stockQuantity: BURST / 5 });
    const buyers = await Promise.all(Array.from({ length: BURST }, () => signedInUser(supergraph)));
    let placed = 0;
    const burst = await wallTime(() =>
      Promise.all(buyers.map(async (buyer) => ((await placeOrder(supergraph, buyer, [{ productId: hot.id, quantity: 1 }])).data ? (placed += 1) : 0))),
    );
    console.log(`${BURST} concurrent orders for ${BURST / 5} units: ${placed} placed, ${burst.toFixed(0)} ms wall (${(burst / BURST).toFixed(1)} ms per order)`);
  } finally {
    await supergraph.stop();
  }
}
