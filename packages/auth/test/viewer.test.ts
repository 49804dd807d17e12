import { describe, expect, it } from '@jest/globals';
import type { KeyRing } from '@shop/config';
import { parseViewer, signGatewayToken, verifyGatewayToken, type Viewer } from '../src/index.js';

const partner = { kind: 'partner' as const, apiKeyId: 'key-1', ownerId: 'owner-1', scopes: ['stock:read'] };

/** A viewer as it travels: JSON in a token claim or in the users subgraph's answer. */
const throughJson = (value: unknown) => parseViewer(JSON.parse(JSON.stringify(value)));

describe('a partner viewer', () => {
  it.each([25_000, 1, 1_000_000_000, null])('keeps a cost budget of %p', (costBudget) => {
    const viewer: Viewer = { ...partner, costBudget };
    expect(throughJson(viewer)).toEqual(viewer);
  });

  it('reads a claim without a cost budget (signed before keys had one) as the default', () => {
    expect(throughJson(partner)).toEqual({ ...partner, costBudget: null });
  });

  it.each([0, -5, 1.5, '25000', true, {}])('is refused with a cost budget of %p', (costBudget) => {
    expect(throughJson({ ...partner, costBudget })).toBeNull();
  });

  it('keeps its cost budget through a gateway token', async () => {
    const signing = { kid: 'test', secret: new TextEncoder().encode('a test secret of more than 32 bytes, for HS256') };
    const keys: KeyRing = { signing, verifying: new Map([[signing.kid, signing]]) };
    const viewer: Viewer = { ...partner, costBudget: 25_000 };
    const scope = { audience: 'catalog', request: { method: 'POST', path: '/graphql', body: '{}' } } as const;
    const token = await signGatewayToken(keys, { viewer, clientIp: null }, scope);
    expect((await verifyGatewayToken(keys, token, scope)).viewer).toEqual(viewer);
  });
});
