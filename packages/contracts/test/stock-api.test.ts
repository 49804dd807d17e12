import { describe, expect, it } from '@jest/globals';
import { checked, StockApi } from '@shop/contracts';

const productId = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
const reservationId = '00000000-0000-4000-8000-000000000001';

describe('the stock API contract', () => {
  it('reads a reservation request, with its ids in lower case', () => {
    const request = checked(StockApi.reserve.request, { reservationId, lines: [{ productId, quantity: 2 }] });
    expect(request).toEqual({ ok: true, value: { reservationId, lines: [{ productId: productId.toLowerCase(), quantity: 2 }] } });
  });

  it.each([
    [{ reservationId: 'order-1', lines: [{ productId, quantity: 1 }] }, 'reservationId: must be a UUID'],
    [{ reservationId, lines: [] }, 'lines: Too small'],
    [{ reservationId, lines: [{ productId, quantity: 0 }] }, 'lines.0.quantity: Too small'],
    [{ reservationId, lines: [{ productId, quantity: 1.5 }] }, 'lines.0.quantity: Invalid input: expected int'],
    [{ reservationId, lines: [{ productId, quantity: 1 }, { productId: productId.toLowerCase(), quantity: 1 }] }, 'lines: one line per product'],
    [null, 'expected object'],
  ])('refuses a reservation request that breaks it, saying where: %j', (body, message) => {
    const request = checked(StockApi.reserve.request, body);
    expect(request.ok).toBe(false);
    expect(!request.ok && request.message).toContain(message);
  });

  it('reads both answers of a reservation: reserved lines with the stock moved, or a refusal', () => {
    const reserved = {
      status: 'RESERVED',
      lines: [{ productId, quantity: 2, name: 'Lamp', unitPrice: '19.90', currency: 'EUR' }],
      changes: [{ topic: 'stock.changed', payload: { productId, stockQuantity: 3, previousStockQuantity: 5 } }],
    };
    expect(checked(StockApi.reserve.answer, reserved).ok).toBe(true);
    expect(checked(StockApi.reserve.answer, { refused: 'OUT_OF_STOCK', productId })).toMatchObject({ ok: true, value: { refused: 'OUT_OF_STOCK' } });
    expect(checked(StockApi.reserve.answer, { refused: 'MIXED_CURRENCIES', productId: null }).ok).toBe(true);
  });

  it('refuses an answer the caller could not act on', () => {
    const floatPrice = checked(StockApi.reserve.answer, {
      status: 'RESERVED',
      lines: [{ productId, quantity: 2, name: 'Lamp', unitPrice: 19.9, currency: 'EUR' }],
      changes: [],
    });
    expect(floatPrice.ok).toBe(false);
    expect(checked(StockApi.reserve.answer, { refused: 'SOLD_OUT', productId }).ok).toBe(false);
    const unknownStatus = checked(StockApi.commit.answer, { status: 'LOST', changes: [] });
    expect(!unknownStatus.ok && unknownStatus.message).toContain('status');
    expect(checked(StockApi.commit.answer, { status: 'UNKNOWN', changes: [] }).ok).toBe(true);
  });

  it('bounds a product lookup to 1000 ids', () => {
    const ids = (count: number) => Array.from({ length: count }, () => productId);
    expect(checked(StockApi.lookup.request, { ids: ids(1000) }).ok).toBe(true);
    const tooMany = checked(StockApi.lookup.request, { ids: ids(1001) });
    expect(!tooMany.ok && tooMany.message).toContain('ids: Too big');
  });
});
