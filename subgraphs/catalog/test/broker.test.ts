import { internalClient } from '@shop/auth';
import { EventTopic, eventFeed } from '@shop/contracts';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { dropTestStream, natsAvailable, readTestStream, testNatsConfig } from '@shop/testing';
import { aloneSubgraph, asGatewayTo, personViewer } from '@shop/testing/subgraph';
import { startCatalog, type CatalogPrisma } from '../src/index.js';

/** Catalog started with NATS_URL (docs/adr/0028): its outbox goes to a stream of the test's own, and its HTTP event feed serves as before. */
(natsAvailable ? describe : describe.skip)('catalog relaying its outbox to NATS JetStream', () => {
  const nats = testNatsConfig();
  let catalog: RunningSubgraph<CatalogPrisma>;
  let alone: Awaited<ReturnType<typeof aloneSubgraph>>;

  beforeAll(async () => {
    alone = await aloneSubgraph('catalog');
    catalog = await startCatalog({ ...alone.options, seedDemoData: false, broker: nats });
  });
  afterAll(async () => {
    await catalog?.stop();
    await alone?.dropDatabase();
    await dropTestStream(nats);
  });

  it('publishes a product an admin created on its topic\'s subject, and serves it in the HTTP feed too', async () => {
    const send = asGatewayTo('catalog', { url: catalog.url, keys: alone.options.gatewayKeys });
    const created = await send<{ createProduct: { id: string } }>(
      { query: 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', variables: { input: { name: 'Relayed lamp', brand: 'B', price: '9.99' } } },
      personViewer('ADMIN'),
    );
    const productId = created.data!.createProduct.id;

    const feed = await internalClient({ baseUrl: catalog.url, audience: 'catalog', keys: alone.options.gatewayKeys, timeoutMs: 5_000 });
    const deadline = Date.now() + 15_000;
    const both = async () => ({ served: (await feed(eventFeed, { after: '0', limit: 10 })).events, stored: await readTestStream(nats).catch(() => []) });
    let { served, stored } = await both();
    while ((served.length === 0 || stored.length < served.length) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ({ served, stored } = await both());
    }

    // Creating a product changes the product and its stock: both events, in the feed's order, in either place.
    const creation = [
      { topic: EventTopic.PRODUCT_CHANGED, payload: { productId } },
      { topic: EventTopic.STOCK_CHANGED, payload: { productId, stockQuantity: 0, previousStockQuantity: 0 } },
    ];
    expect(served.map(({ topic, payload }) => ({ topic, payload }))).toEqual(creation);
    expect(stored.map(({ change }) => change)).toEqual(creation);
    expect(stored.map(({ seq, source, messageId, id }) => ({ seq, source, messageId: messageId === id }))).toEqual(
      served.map(({ seq }) => ({ seq, source: 'catalog', messageId: true })),
    );
  });
});
