import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogBuilders } from '@shop/catalog/testing';
import { orderBuilders } from '@shop/orders/testing';
import { TEST_PASSWORD, userBuilders } from '@shop/users/testing';
import {
  contractFiles,
  contractOperation,
  errorCodes,
  partnerWithKey,
  persistedRequest,
  readContract,
  signedInUser,
  signIn,
  startTestSupergraph,
  oneTestBackend,
  type ContractFile,
  type GraphQLRequest,
  type SignedIn,
  type TestSupergraph,
} from '../src/index.js';
import manifest from '../../schema/partner-manifest.json' with { type: 'json' };

/**
 * The table "Who may do what" of contract/README.md, as data: every operation of the three
 * contract files, run through the gateway by each kind of caller, expecting its data or its
 * exact refusal. "user" owns the records the operation targets; "otherUser" does not.
 */
type CallerName = 'anonymous' | 'user' | 'otherUser' | 'admin' | 'partner';
const callerNames: CallerName[] = ['anonymous', 'user', 'otherUser', 'admin', 'partner'];

/** 'data': the root field answers; 'null' / 'false': it answers that, with no error; else an error code. */
type Outcome = 'data' | 'null' | 'false' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_RESET_TOKEN' | 'WRONG_CURRENT_PASSWORD';
type Expectations = Record<CallerName, Outcome>;

interface Fixtures {
  supergraph: TestSupergraph;
  callers: Record<Exclude<CallerName, 'anonymous'>, { headers: Record<string, string>; userId?: string }>;
  user: SignedIn;
  partnerOwnerId: string;
}

interface Row {
  file: ContractFile;
  operation: string;
  /** The operation's variables for one caller (a user id for callers who have one). */
  variables?: (fixtures: Fixtures, callerUserId: string | null) => Promise<Record<string, unknown>>;
  expect: Expectations;
}

const anyone: Expectations = { anonymous: 'data', user: 'data', otherUser: 'data', admin: 'data', partner: 'FORBIDDEN' };
const signedIn = (own: Outcome, others: Outcome = own, admin: Outcome = own): Expectations => ({
  anonymous: 'UNAUTHENTICATED',
  user: own,
  otherUser: others,
  admin,
  partner: 'FORBIDDEN',
});
const adminOnly = (admin: Outcome = 'data'): Expectations => ({
  anonymous: 'UNAUTHENTICATED',
  user: 'FORBIDDEN',
  otherUser: 'FORBIDDEN',
  admin,
  partner: 'FORBIDDEN',
});

const fresh = {
  handle: () => `m${Math.random().toString(36).slice(2, 12)}`,
  user: (f: Fixtures) => userBuilders(f.supergraph.users.prisma).user(),
  product: (f: Fixtures) => catalogBuilders(f.supergraph.catalog.prisma).product(),
  category: (f: Fixtures) => catalogBuilders(f.supergraph.catalog.prisma).category(),
  /** A saved address of the fixture user's: its owner may change it; to anyone else it is not there. */
  address: (f: Fixtures) => userBuilders(f.supergraph.users.prisma).address(f.user.userId),
  order: async (f: Fixtures) =>
    orderBuilders(f.supergraph.orders.prisma).order(f.user.userId, [{ productId: (await fresh.product(f)).id, quantity: 1, unitPrice: '9.99' }]),
};

const shippingAddress = { fullName: 'Matrix Shopper', line1: '1 Main Street', city: 'Boston', postalCode: '02110', country: 'US' };

const rows: Row[] = [
  // frontend.graphql
  {
    file: 'frontend',
    operation: 'Register',
    variables: async () => {
      const handle = fresh.handle();
      return { input: { email: `${handle}@example.com`, username: handle, password: 'a long enough password' } };
    },
    expect: anyone,
  },
  {
    file: 'frontend',
    operation: 'Login',
    variables: async (f) => {
      const user = await fresh.user(f);
      return { input: { email: user.email, password: user.password } };
    },
    expect: anyone,
  },
  {
    file: 'frontend',
    operation: 'RefreshToken',
    variables: async (f) => ({ refreshToken: (await signIn(f.supergraph, (await fresh.user(f)).email)).refreshToken }),
    expect: anyone,
  },
  {
    file: 'frontend',
    operation: 'Logout',
    variables: async (f) => ({ refreshToken: (await signIn(f.supergraph, f.user.email)).refreshToken }),
    expect: signedIn('data', 'false', 'false'),
  },
  { file: 'frontend', operation: 'Me', expect: signedIn('data') },
  { file: 'frontend', operation: 'UpdateProfile', variables: async () => ({ input: { firstName: 'Matrix' } }), expect: signedIn('data') },
  { file: 'frontend', operation: 'Products', variables: async () => ({ limit: 5 }), expect: anyone },
  { file: 'frontend', operation: 'Product', variables: async (f) => ({ id: (await fresh.product(f)).id }), expect: anyone },
  { file: 'frontend', operation: 'Categories', expect: anyone },
  { file: 'frontend', operation: 'CategoryProducts', variables: async (f) => ({ id: (await fresh.category(f)).id }), expect: anyone },
  { file: 'frontend', operation: 'AddToCart', variables: async (f) => ({ productId: (await fresh.product(f)).id, quantity: 1 }), expect: signedIn('data') },
  { file: 'frontend', operation: 'UpdateCartItem', variables: async (f) => ({ productId: (await fresh.product(f)).id, quantity: 1 }), expect: signedIn('data') },
  { file: 'frontend', operation: 'RemoveFromCart', variables: async (f) => ({ productId: (await fresh.product(f)).id }), expect: signedIn('data') },
  {
    file: 'frontend',
    operation: 'Checkout',
    variables: async (f, callerUserId) => {
      if (callerUserId) await orderBuilders(f.supergraph.orders.prisma).cartLine(callerUserId, (await fresh.product(f)).id);
      return { idempotencyKey: fresh.handle() };
    },
    expect: signedIn('data'),
  },
  {
    file: 'frontend',
    operation: 'PlaceOrder',
    variables: async (f) => ({ input: { items: [{ productId: (await fresh.product(f)).id, quantity: 1 }], idempotencyKey: fresh.handle() } }),
    expect: signedIn('data'),
  },
  { file: 'frontend', operation: 'Order', variables: async (f) => ({ id: (await fresh.order(f)).id }), expect: signedIn('data', 'null', 'data') },
  { file: 'frontend', operation: 'CancelOrder', variables: async (f) => ({ id: (await fresh.order(f)).id }), expect: signedIn('data', 'NOT_FOUND', 'data') },
  { file: 'frontend', operation: 'MyAddresses', expect: signedIn('data') },
  { file: 'frontend', operation: 'AddAddress', variables: async () => ({ input: shippingAddress }), expect: signedIn('data') },
  { file: 'frontend', operation: 'UpdateAddress', variables: async (f) => ({ id: (await fresh.address(f)).id, input: shippingAddress }), expect: signedIn('data', 'NOT_FOUND', 'NOT_FOUND') },
  { file: 'frontend', operation: 'RemoveAddress', variables: async (f) => ({ id: (await fresh.address(f)).id }), expect: signedIn('data', 'NOT_FOUND', 'NOT_FOUND') },
  { file: 'frontend', operation: 'SetDefaultAddress', variables: async (f) => ({ id: (await fresh.address(f)).id }), expect: signedIn('data', 'NOT_FOUND', 'NOT_FOUND') },
  {
    file: 'frontend',
    operation: 'CheckoutWithAddress',
    variables: async (f, callerUserId) => {
      if (callerUserId) await orderBuilders(f.supergraph.orders.prisma).cartLine(callerUserId, (await fresh.product(f)).id);
      return { idempotencyKey: fresh.handle(), shippingAddress: { address: shippingAddress } };
    },
    expect: signedIn('data'),
  },
  {
    file: 'frontend',
    operation: 'PlaceOrderWithAddress',
    variables: async (f) => ({
      input: { items: [{ productId: (await fresh.product(f)).id, quantity: 1 }], idempotencyKey: fresh.handle(), shippingAddress: { address: shippingAddress } },
    }),
    expect: signedIn('data'),
  },
  { file: 'frontend', operation: 'MyOrders', variables: async () => ({ filter: { status: 'PENDING' }, limit: 5 }), expect: signedIn('data') },
  // The callers here must outlive the table: each is refused before anything is deleted (a wrong
  // password for those who may; an admin deletes no account of its own). The deletion itself:
  // account-deletion.test.ts.
  {
    file: 'frontend',
    operation: 'DeleteAccount',
    variables: async () => ({ password: 'not the password' }),
    expect: { ...signedIn('WRONG_CURRENT_PASSWORD'), admin: 'FORBIDDEN' },
  },
  // Anyone may ask (the answer is the same for every email) and use a token; no one gets past a token that is not one.
  { file: 'frontend', operation: 'RequestPasswordReset', variables: async (f) => ({ email: (await fresh.user(f)).email }), expect: anyone },
  {
    file: 'frontend',
    operation: 'ResetPassword',
    variables: async () => ({ token: `pr_${fresh.handle()}`, newPassword: 'a long enough password' }),
    expect: { anonymous: 'INVALID_RESET_TOKEN', user: 'INVALID_RESET_TOKEN', otherUser: 'INVALID_RESET_TOKEN', admin: 'INVALID_RESET_TOKEN', partner: 'FORBIDDEN' },
  },
  // Last of the frontend rows: it changes the caller's password, which the rows above sign in with.
  {
    file: 'frontend',
    operation: 'ChangePassword',
    variables: async () => ({ currentPassword: TEST_PASSWORD, newPassword: `matrix ${fresh.handle()}` }),
    expect: signedIn('data'),
  },
  // admin.graphql
  { file: 'admin', operation: 'Users', expect: adminOnly() },
  // A user may read its own account; anyone else's reads as not found.
  { file: 'admin', operation: 'User', variables: async (f) => ({ id: f.user.userId }), expect: signedIn('data', 'null', 'data') },
  { file: 'admin', operation: 'SetUserRole', variables: async (f) => ({ id: (await fresh.user(f)).id, role: 'PARTNER' }), expect: adminOnly() },
  { file: 'admin', operation: 'DeactivateUser', variables: async (f) => ({ id: (await fresh.user(f)).id }), expect: adminOnly() },
  {
    file: 'admin',
    operation: 'ReactivateUser',
    variables: async (f) => ({ id: (await userBuilders(f.supergraph.users.prisma).user({ isActive: false })).id }),
    expect: adminOnly(),
  },
  { file: 'admin', operation: 'DeleteUser', variables: async (f) => ({ id: (await fresh.user(f)).id }), expect: adminOnly() },
  { file: 'admin', operation: 'CreateCategory', variables: async () => ({ input: { name: fresh.handle() } }), expect: adminOnly() },
  { file: 'admin', operation: 'UpdateCategory', variables: async (f) => ({ id: (await fresh.category(f)).id, input: { name: fresh.handle() } }), expect: adminOnly() },
  {
    file: 'admin',
    operation: 'CreateProduct',
    variables: async () => ({ input: { name: fresh.handle(), brand: 'Matrix', price: '1.00' } }),
    expect: adminOnly(),
  },
  { file: 'admin', operation: 'UpdateProduct', variables: async (f) => ({ id: (await fresh.product(f)).id, input: { price: '2.00' } }), expect: adminOnly() },
  { file: 'admin', operation: 'DeleteProduct', variables: async (f) => ({ id: (await fresh.product(f)).id }), expect: adminOnly() },
  { file: 'admin', operation: 'AdminProducts', variables: async () => ({ limit: 5 }), expect: adminOnly() },
  {
    file: 'admin',
    operation: 'AdjustStock',
    variables: async (f) => ({ input: { productId: (await fresh.product(f)).id, delta: 1, reason: 'RESTOCK' } }),
    expect: adminOnly(),
  },
  { file: 'admin', operation: 'StockMovements', variables: async (f) => ({ productId: (await fresh.product(f)).id }), expect: adminOnly() },
  { file: 'admin', operation: 'LowStockProducts', variables: async () => ({ below: 5, limit: 5 }), expect: adminOnly() },
  { file: 'admin', operation: 'AllOrders', variables: async () => ({ limit: 5 }), expect: adminOnly() },
  { file: 'admin', operation: 'UpdateOrderStatus', variables: async (f) => ({ id: (await fresh.order(f)).id, status: 'PAID' }), expect: adminOnly() },
  { file: 'admin', operation: 'CreateApiKey', variables: async (f) => ({ input: { name: 'matrix', ownerId: f.partnerOwnerId } }), expect: adminOnly() },
  { file: 'admin', operation: 'ApiKeys', expect: adminOnly() },
  {
    file: 'admin',
    operation: 'RevokeApiKey',
    variables: async (f) => ({ id: (await userBuilders(f.supergraph.users.prisma).apiKey(f.partnerOwnerId)).id }),
    expect: adminOnly(),
  },
  {
    file: 'admin',
    operation: 'SetApiKeyCostBudget',
    variables: async (f) => ({ id: (await userBuilders(f.supergraph.users.prisma).apiKey(f.partnerOwnerId)).id, costBudget: 5_000 }),
    expect: adminOnly(),
  },
  { file: 'admin', operation: 'ApiKeyBudgets', expect: adminOnly() },
  // partner.graphql: partners send these by persisted query id, everyone else as text.
  {
    file: 'partner',
    operation: 'PartnerCatalog',
    variables: async () => ({ limit: 5 }),
    expect: { anonymous: 'UNAUTHENTICATED', user: 'FORBIDDEN', otherUser: 'FORBIDDEN', admin: 'data', partner: 'data' },
  },
  {
    file: 'partner',
    operation: 'PartnerProduct',
    variables: async (f) => ({ id: (await fresh.product(f)).id }),
    expect: { anonymous: 'UNAUTHENTICATED', user: 'FORBIDDEN', otherUser: 'FORBIDDEN', admin: 'data', partner: 'data' },
  },
  { file: 'partner', operation: 'PartnerCategories', expect: { ...anyone, partner: 'data' } },
  {
    file: 'partner',
    operation: 'PartnerProductChanges',
    variables: async () => ({ updatedAfter: '2026-01-01T00:00:00Z', limit: 5 }),
    expect: { anonymous: 'UNAUTHENTICATED', user: 'FORBIDDEN', otherUser: 'FORBIDDEN', admin: 'data', partner: 'data' },
  },
];

const refusalStatus = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, INVALID_RESET_TOKEN: 400, WRONG_CURRENT_PASSWORD: 403 } as const;

const persistedIds = new Map(manifest.operations.map((operation) => [operation.name, operation.id]));
const cases = rows.flatMap((row) => callerNames.map((caller) => ({ ...row, caller, outcome: row.expect[caller] })));

describe.each([oneTestBackend()])('who may do what, through the gateway (%s)', (backend) => {
  let fixtures: Fixtures;

  beforeAll(async () => {
    const supergraph = await startTestSupergraph(backend);
    const [user, otherUser, admin, partner] = await Promise.all([
      signedInUser(supergraph),
      signedInUser(supergraph),
      signedInUser(supergraph, 'ADMIN'),
      partnerWithKey(supergraph),
    ]);
    fixtures = { supergraph, user, partnerOwnerId: partner.owner.id, callers: { user, otherUser, admin, partner } };
  });
  afterAll(() => fixtures?.supergraph.stop());

  it('covers every operation of the three contract files', () => {
    const covered = new Set(rows.map((row) => `${row.file}:${row.operation}`));
    for (const file of contractFiles) {
      const operations = [...readContract(file).matchAll(/^(?:query|mutation)\s+(\w+)/gm)].map((match) => match[1]!);
      expect(operations.filter((name) => !covered.has(`${file}:${name}`))).toEqual([]);
    }
  });

  it.each(cases)('$file $operation as $caller: $outcome', async ({ file, operation, caller, outcome, variables }) => {
    const { supergraph } = fixtures;
    const signedInCaller = caller === 'anonymous' ? null : fixtures.callers[caller];
    const vars = variables ? await variables(fixtures, signedInCaller?.userId ?? null) : undefined;
    const headers = signedInCaller?.headers ?? {};
    const persistedId = persistedIds.get(operation);
    const request: GraphQLRequest =
      caller === 'partner' && persistedId ? persistedRequest(persistedId, vars, headers) : { query: contractOperation(file, operation), variables: vars, headers };
    const response = await supergraph.request(request);
    const data = response.data as Record<string, unknown> | null | undefined;
    const root = data ? Object.values(data)[0] : undefined;
    switch (outcome) {
      case 'data':
        expect(response.errors).toBeUndefined();
        expect(root).toBeTruthy();
        break;
      case 'null':
        expect(response.errors).toBeUndefined();
        expect(root).toBeNull();
        break;
      case 'false':
        expect(response.errors).toBeUndefined();
        expect(root).toBe(false);
        break;
      default: {
        expect(errorCodes(response)).toContain(outcome);
        expect(errorCodes(response).every((code) => code === outcome)).toBe(true);
        if (outcome === 'UNAUTHENTICATED' || outcome === 'FORBIDDEN') expect(root ?? null).toBeNull();
        // A refusal that leaves the answer empty says so in its status; one beside data does not.
        const holdsNothing = !data || Object.values(data).every((value) => value === null);
        expect(response.status).toBe(holdsNothing ? refusalStatus[outcome] : 200);
        return;
      }
    }
    expect(response.status).toBe(200);
  });
});
