import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestSupergraph, type TestSupergraph } from '@shop/testing';

describe('GET /health on the gateway', () => {
  let supergraph: TestSupergraph;
  const health = () => fetch(new URL('/health', supergraph.gatewayUrl));

  beforeAll(async () => {
    supergraph = await startTestSupergraph('pglite');
  });
  afterAll(() => supergraph?.stop());

  it('answers 200 while every subgraph answers, 503 as soon as one does not', async () => {
    const healthy = await health();
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok' });

    await supergraph.orders.stop();
    const degraded = await health();
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toEqual({ status: 'unavailable' });
  });
});
