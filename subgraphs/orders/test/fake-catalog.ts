import { randomUUID } from 'node:crypto';
import { CatalogUnavailable, type CatalogClient, type ProductSnapshot, type ReservedLine } from '../src/data/catalog-client.js';

type ReserveAnswer = Awaited<ReturnType<CatalogClient['reserve']>>;
type StateAnswer = Awaited<ReturnType<CatalogClient['commit']>>;
type StockCall = 'reserve' | 'commit' | 'release' | 'lookup';

interface Reservation {
  status: 'RESERVED' | 'COMMITTED' | 'RELEASED';
  lines: ReservedLine[];
}

/**
 * The catalog's stock API in memory, with the real one's contract: every call idempotent by
 * reservation id, refusals named, stock never below zero. `down` makes calls fail as an
 * unreachable catalog does (CatalogUnavailable), so service tests stop it between any two steps.
 */
export function fakeCatalog() {
  const products = new Map<string, ProductSnapshot>();
  const reservations = new Map<string, Reservation>();
  const calls: StockCall[] = [];
  const state = { down: false };

  const answer = (call: StockCall) => {
    calls.push(call);
    if (state.down) throw new CatalogUnavailable(`fake catalog is down (${call})`);
  };

  function refusalOf(lines: ReadonlyArray<{ productId: string; quantity: number }>): ReserveAnswer | null {
    for (const line of lines) {
      const product = products.get(line.productId);
      if (!product) return { refused: 'UNKNOWN_PRODUCT', productId: line.productId };
      if (!product.orderable) return { refused: 'PRODUCT_UNAVAILABLE', productId: line.productId };
      if (product.stockQuantity < line.quantity) return { refused: 'OUT_OF_STOCK', productId: line.productId };
    }
    const currencies = new Set(lines.map((line) => products.get(line.productId)!.currency));
    return currencies.size > 1 ? { refused: 'MIXED_CURRENCIES', productId: null } : null;
  }

  function move(reservationId: string, to: Reservation['status']): StateAnswer {
    const reservation = reservations.get(reservationId);
    if (!reservation) return { status: 'UNKNOWN', changes: [] };
    if (to === 'COMMITTED' && reservation.status === 'RESERVED') reservation.status = 'COMMITTED';
    if (to === 'RELEASED' && reservation.status !== 'RELEASED') {
      reservation.status = 'RELEASED';
      for (const line of reservation.lines) products.get(line.productId)!.stockQuantity += line.quantity;
    }
    return { status: reservation.status, changes: [] };
  }

  const client: CatalogClient = {
    reserve: async ({ reservationId, lines }) => {
      answer('reserve');
      const existing = reservations.get(reservationId);
      if (existing) return { status: existing.status, lines: existing.lines, changes: [] };
      const refusal = refusalOf(lines);
      if (refusal) return refusal;
      const reserved = lines.map((line) => {
        const product = products.get(line.productId)!;
        product.stockQuantity -= line.quantity;
        return { productId: line.productId, quantity: line.quantity, name: product.name, unitPrice: product.price, currency: product.currency };
      });
      reservations.set(reservationId, { status: 'RESERVED', lines: reserved });
      return { status: 'RESERVED', lines: reserved, changes: [] };
    },
    commit: async (reservationId) => {
      answer('commit');
      return move(reservationId, 'COMMITTED');
    },
    release: async (reservationId) => {
      answer('release');
      return move(reservationId, 'RELEASED');
    },
    lookup: async (ids) => {
      answer('lookup');
      return ids.flatMap((id) => (products.has(id) ? [{ ...products.get(id)! }] : []));
    },
  };

  return {
    client,
    /** Calls made so far, in order: a test sees which steps ran. */
    calls,
    state,
    product(data: Partial<Omit<ProductSnapshot, 'id'>> = {}): ProductSnapshot {
      const product = { id: randomUUID(), name: 'A product', price: '10.00', currency: 'USD', stockQuantity: 10, orderable: true, ...data };
      products.set(product.id, product);
      return product;
    },
    stockOf: (productId: string) => products.get(productId)!.stockQuantity,
    reservationOf: (id: string) => reservations.get(id)?.status,
  };
}

export type FakeCatalog = ReturnType<typeof fakeCatalog>;
