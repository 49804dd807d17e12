import { randomUUID } from 'node:crypto';
import { StockApi } from '@shop/contracts';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { aloneSubgraph, asGatewayTo, doorAnswer, gatewayHeaders, personViewer } from '@shop/testing/subgraph';
import { startCatalog, type CatalogPrisma } from '../src/index.js';
import { catalogState } from './builders.js';

const TRANSACTION_WAIT_MS = 300;

/**
 * PGlite runs one transaction at a time. A request whose transaction cannot start within the
 * database's wait (DATABASE_TRANSACTION_WAIT_MS) meets a database too busy to serve it: it
 * answers 503 SERVICE_UNAVAILABLE, retryable, and writes nothing; not a 500 or a hang.
 */
describe('catalog subgraph on a database too busy to start a transaction', () => {
  let catalog: RunningSubgraph<CatalogPrisma>;
  let alone: Awaited<ReturnType<typeof aloneSubgraph>>;

  beforeAll(async () => {
    alone = await aloneSubgraph('catalog');
    catalog = await startCatalog({
      ...alone.options,
      database: { ...alone.options.database, transactionWaitMs: TRANSACTION_WAIT_MS },
      seedDemoData: false,
      syncSettleMs: 0,
    });
  });
  afterAll(async () => {
    await catalog?.stop();
    await alone?.dropDatabase();
  });

  /** Keeps the database's one transaction open until the returned function is called. */
  function occupyTheDatabase() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = catalog.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      await released;
    });
    return async () => {
      release();
      await held;
    };
  }

  const send = () => asGatewayTo('catalog', { url: catalog.url, keys: alone.options.gatewayKeys });
  // Both start with their transaction: the wait measured is the transaction's, not a read's
  // (on PGlite every statement waits for the running transaction).
  const createCategory = (name: string) =>
    send()({ query: 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { name } }', variables: { input: { name } } }, personViewer('ADMIN'));

  async function commitReservation(reservationId: string) {
    const url = new URL(StockApi.commit.path, catalog.url).toString();
    const body = JSON.stringify({ reservationId });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await gatewayHeaders(alone.options.gatewayKeys, 'catalog', url, body)) },
      body,
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it('answers a mutation and a stock API call 503 SERVICE_UNAVAILABLE after the wait, writes nothing, and serves once the database is free', async () => {
    const before = await catalogState(catalog.prisma);
    const name = `Busy ${randomUUID()}`;

    const free = occupyTheDatabase();
    try {
      const startedAt = Date.now();
      const [mutation, commit] = await Promise.all([createCategory(name), commitReservation(randomUUID())]);
      const waitedMs = Date.now() - startedAt;
      expect(doorAnswer(mutation)).toEqual({ status: 503, data: null, codes: ['SERVICE_UNAVAILABLE'] });
      expect(JSON.stringify(mutation)).not.toMatch(/prisma|transaction api|P2028/i);
      expect(commit).toEqual({ status: 503, body: { error: 'SERVICE_UNAVAILABLE' } });
      expect(waitedMs).toBeGreaterThanOrEqual(TRANSACTION_WAIT_MS);
      expect(waitedMs).toBeLessThan(TRANSACTION_WAIT_MS + 3_000);
    } finally {
      await free();
    }

    expect(await catalogState(catalog.prisma)).toEqual(before);
    const served = await createCategory(name);
    expect(served.errors).toBeUndefined();
    expect(served.data).toEqual({ createCategory: { name } });
    expect(await commitReservation(randomUUID())).toMatchObject({ status: 200, body: { status: 'UNKNOWN' } });
  });
});
