import { randomUUID } from 'node:crypto';
import { internalClient } from '@shop/auth';
import { eventFeed } from '@shop/contracts';
import { contractOperation } from '@shop/testing';
import type { SignedIn } from './callers.js';
import type { TestSupergraph } from './supergraph.js';

const PlaceOrder = contractOperation('frontend', 'PlaceOrder');

export interface PlacedOrder {
  id: string;
  status: string;
  total: { amount: string; currency: string };
  items: Array<{ quantity: number; unitPrice: { amount: string; currency: string }; product: { id: string; name: string; inStock: boolean } }>;
}

/** The storefront's PlaceOrder through the gateway; a new idempotency key unless one is given. */
export const placeOrder = (
  supergraph: TestSupergraph,
  caller: Pick<SignedIn, 'headers'>,
  items: Array<{ productId: string; quantity: number }>,
  idempotencyKey: string = randomUUID(),
) => supergraph.request<{ placeOrder: PlacedOrder }>({ query: PlaceOrder, variables: { input: { items, idempotencyKey } }, headers: caller.headers });

/** A product's units on sale, read straight from catalog's database. */
export const stockOf = async (supergraph: TestSupergraph, productId: string) =>
  (await supergraph.catalog.prisma.product.findUniqueOrThrow({ where: { id: productId } })).stockQuantity;

/** What each database holds about orders and stock, for checking that the two agree. */
export async function placementLedger(supergraph: TestSupergraph) {
  const [orders, reservations] = await Promise.all([
    supergraph.orders.prisma.order.findMany({ include: { items: true } }),
    supergraph.catalog.prisma.stockReservation.findMany(),
  ]);
  return { orders, reservations };
}

/** A subgraph's event feed after a sequence number, read as a consumer does (gateway-signed). */
export async function readEventFeed(supergraph: TestSupergraph, subgraph: 'catalog' | 'orders', after = '0') {
  const call = internalClient({ baseUrl: supergraph[subgraph].url, audience: subgraph, keys: supergraph.gatewayKeys, timeoutMs: 5_000 });
  return (await call(eventFeed, { after, limit: 1000 })).events;
}
