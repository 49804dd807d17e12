import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { userBuilders, type UserBuilders } from '@shop/users/testing';
import {
  contractOperation,
  errorCodes,
  partnerWithKey,
  signedInUser,
  startTestSupergraph,
  oneTestBackend,
  type GraphQLResponse,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';
import { createAuthenticator } from '@shop/gateway/credentials';

interface KeyBudget {
  id: string;
  name: string;
  scopes: string[];
  costBudget: number | null;
  revokedAt: string | null;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each([oneTestBackend()])('API key cost budgets, set by admins (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let build: UserBuilders;
  let admin: SignedIn;
  let partnerOwnerId: string;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend);
    build = userBuilders(supergraph.users.prisma);
    admin = await signedInUser(supergraph, 'ADMIN');
    partnerOwnerId = (await build.user({ role: 'PARTNER' })).id;
  });
  afterAll(() => supergraph?.stop());

  const run = <Data>(operation: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>) =>
    supergraph.request<Data>({ query: contractOperation('admin', operation), variables, headers });

  const setBudget = (id: string, costBudget: number | null, headers = admin.headers) =>
    run<{ setApiKeyCostBudget: Pick<KeyBudget, 'id' | 'name' | 'costBudget'> }>('SetApiKeyCostBudget', { id, costBudget }, headers);

  async function budgetOf(id: string): Promise<KeyBudget | undefined> {
    const response = await run<{ apiKeys: KeyBudget[] }>('ApiKeyBudgets', undefined, admin.headers);
    expect(response.errors).toBeUndefined();
    return response.data!.apiKeys.find((key) => key.id === id);
  }

  // The refusal comes from the users subgraph while the operation runs, so the gateway answers
  // it as GraphQL answers execution errors: HTTP 200 with the error (never a 5xx).
  function expectBadBudget(response: GraphQLResponse<unknown>, field: string) {
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.extensions!.field).toBe(field);
    expect(response.status).toBeLessThan(500);
    expect(response.data ?? null).toBeNull();
  }

  it('lets an admin create a key with a budget, change it and restore the default', async () => {
    const created = await run<{ createApiKey: { key: string; apiKey: { id: string; name: string } } }>(
      'CreateApiKey',
      { input: { name: 'budgeted partner', ownerId: partnerOwnerId, costBudget: 25_000 } },
      admin.headers,
    );
    expect(created.errors).toBeUndefined();
    const { id } = created.data!.createApiKey.apiKey;
    expect(await budgetOf(id)).toEqual({ id, name: 'budgeted partner', scopes: ['stock:read'], costBudget: 25_000, revokedAt: null });

    const raised = await setBudget(id, 40_000);
    expect(raised.errors).toBeUndefined();
    expect(raised.data).toEqual({ setApiKeyCostBudget: { id, name: 'budgeted partner', costBudget: 40_000 } });
    expect((await budgetOf(id))?.costBudget).toBe(40_000);

    const cleared = await setBudget(id, null);
    expect(cleared.data).toEqual({ setApiKeyCostBudget: { id, name: 'budgeted partner', costBudget: null } });
    expect((await budgetOf(id))?.costBudget).toBeNull();
  });

  it('gives a key created without a budget the default, and accepts the bounds 1 and 1,000,000,000', async () => {
    const created = await run<{ createApiKey: { apiKey: { id: string } } }>('CreateApiKey', { input: { name: 'plain', ownerId: partnerOwnerId } }, admin.headers);
    const { id } = created.data!.createApiKey.apiKey;
    expect((await budgetOf(id))?.costBudget).toBeNull();
    for (const bound of [1, 1_000_000_000]) {
      expect((await setBudget(id, bound)).data?.setApiKeyCostBudget.costBudget).toBe(bound);
    }
  });

  describe.each([0, -5, 2e9])('a budget of %p', (costBudget) => {
    it('is refused by setApiKeyCostBudget with BAD_USER_INPUT, leaving the budget as it was', async () => {
      const key = await build.apiKey(partnerOwnerId, { costBudget: 25_000 });
      expectBadBudget(await setBudget(key.id, costBudget), 'costBudget');
      expect((await budgetOf(key.id))?.costBudget).toBe(25_000);
    });

    it('is refused by createApiKey with BAD_USER_INPUT, creating no key', async () => {
      const keysBefore = await supergraph.users.prisma.apiKey.count();
      const response = await run('CreateApiKey', { input: { name: 'too much', ownerId: partnerOwnerId, costBudget } }, admin.headers);
      expectBadBudget(response, 'input.costBudget');
      expect(await supergraph.users.prisma.apiKey.count()).toBe(keysBefore);
    });
  });

  it('refuses a budget beyond GraphQL Int at the gateway, before the users subgraph is called (HTTP 400)', async () => {
    const key = await build.apiKey(partnerOwnerId, { costBudget: 25_000 });
    const response = await setBudget(key.id, 3e9);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.status).toBe(400);
    expect((await budgetOf(key.id))?.costBudget).toBe(25_000);
  });

  it('keeps budgets positive in the database too (a CHECK), whatever code writes them', async () => {
    await expect(build.apiKey(partnerOwnerId, { costBudget: 0 })).rejects.toThrow();
  });

  it('is NOT_FOUND for an unknown key', async () => {
    expect(errorCodes(await setBudget(UNKNOWN_ID, 1_000))).toEqual(['NOT_FOUND']);
  });

  it('refuses to change a revoked key (CONFLICT), leaving it as it was', async () => {
    const key = await build.apiKey(partnerOwnerId, { costBudget: 25_000, revokedAt: new Date() });
    expect(errorCodes(await setBudget(key.id, 50_000))).toEqual(['CONFLICT']);
    expect((await budgetOf(key.id))?.costBudget).toBe(25_000);
  });

  it('refuses every caller but an admin, before anything changes', async () => {
    const key = await build.apiKey(partnerOwnerId, { costBudget: 25_000 });
    const user = await signedInUser(supergraph);
    const partner = await partnerWithKey(supergraph);
    const callers: Array<[Record<string, string>, string, number]> = [
      [{}, 'UNAUTHENTICATED', 401],
      [user.headers, 'FORBIDDEN', 403],
      [partner.headers, 'FORBIDDEN', 403],
    ];
    for (const [headers, code, status] of callers) {
      for (const response of [await setBudget(key.id, 1, headers), await run('ApiKeyBudgets', undefined, headers)]) {
        expect(errorCodes(response)).toEqual([code]);
        expect(response.status).toBe(status);
        expect(response.data ?? null).toBeNull();
      }
    }
    expect((await budgetOf(key.id))?.costBudget).toBe(25_000);
  });

  it("hands the key's budget to the gateway in the viewer the users subgraph answers with", async () => {
    const partner = await partnerWithKey(supergraph);
    // A new authenticator for each check: the gateway's own would answer from its 5-second cache.
    const viewerOfKey = () =>
      createAuthenticator(supergraph.users.url, supergraph.gatewayKeys, 1_000).viewerFor({
        'x-api-key': partner.apiKey.key,
      });
    const expected = { kind: 'partner', apiKeyId: partner.apiKey.id, ownerId: partner.owner.id, scopes: ['stock:read'] };
    expect(await viewerOfKey()).toEqual({ ...expected, costBudget: null });
    await setBudget(partner.apiKey.id, 7_500);
    expect(await viewerOfKey()).toEqual({ ...expected, costBudget: 7_500 });
    await setBudget(partner.apiKey.id, null);
    expect(await viewerOfKey()).toEqual({ ...expected, costBudget: null });
  });
});
