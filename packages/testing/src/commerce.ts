import { randomUUID } from 'node:crypto';
import type { PublishedEvent } from '@shop/db';
import { EVENTS_PATH } from '@shop/graphql-kit';
import { contractOperation } from './contract.js';
import { gatewayHeaders } from './as-gateway.js';
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
  const url = new URL(EVENTS_PATH, supergraph[subgraph].url).toString();
  const body = JSON.stringify({ after, limit: 1000 });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await gatewayHeaders(supergraph.gatewayKeys, subgraph, url, body)) },
    body,
  });
  if (!response.ok) throw new Error(`event feed answered ${response.status}`);
  return ((await response.json()) as { events: PublishedEvent[] }).events;
}
