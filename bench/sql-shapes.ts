// `npm run bench:sql-shapes`: what the four uncached paths of issue 18 cost each subgraph, queried
// directly as the gateway would query it: SQL statements per request (the subgraph's own
// statement counter) and CPU per request of this process (the subgraphs, in process, and the
// client). A `{ __typename }` request to each subgraph is measured too: what is left above it is
// the data path. Sequential requests, so the counts are exact and the CPU is only the requests'.
// Every subgraph runs on fresh PostgreSQL databases (TEST_POSTGRES_URL), or PGlite without it.
import { parseConfig, subgraphLimitsSchema, type SubgraphName } from '@shop/config';
import { startCatalog, type CatalogPrisma } from '@shop/catalog';
import { findProductsByIds } from '../subgraphs/catalog/src/data/products.js';
import { findCart } from '../subgraphs/orders/src/data/carts.js';
import type { RunningSubgraph } from '@shop/graphql-kit/subgraph';
import { createLogger } from '@shop/logging';
import { startOrders } from '@shop/orders';
import { orderBuilders } from '@shop/orders/testing';
import { createTestDatabases, oneTestBackend, testKeyRing } from '@shop/testing';
import { asGatewayTo, entitiesQuery, personViewer } from '@shop/testing/subgraph';
import { startUsers } from '@shop/users';
import { userBuilders, usersTestSettings } from '@shop/users/testing';
import { between, pick, seededRandom, sorts } from './workloads.js';

const REQUESTS = Number(process.env.SQL_SHAPES_REQUESTS ?? 300);
const WARMUP = 50;
const SHOPPERS = 50;
const ORDERS_PER_SHOPPER = 4;
const CART_LINES = 3;

const backend = oneTestBackend();
const databases = await createTestDatabases(backend);
const keys = testKeyRing();
const logger = createLogger('bench-sql-shapes', 'error');
const common = { migrate: true, gatewayKeys: keys, limits: parseConfig(subgraphLimitsSchema, {}), host: '127.0.0.1', port: 0, logger, accessLog: false };

const catalog: RunningSubgraph<CatalogPrisma> = await startCatalog({ ...common, database: databases.configs.catalog, seedDemoData: true });
const users = await startUsers({
  ...common,
  database: databases.configs.users,
  seedDemoData: false,
  ...usersTestSettings(),
});
const orders = await startOrders({ ...common, database: databases.configs.orders, catalogUrl: catalog.url, usersUrl: users.url });
const subgraphs = { catalog, users, orders } as Record<SubgraphName, { url: string; usage(): { requests: number; statements: number } }>;

try {
  const random = seededRandom(18);
  const products = await catalog.prisma.product.findMany({ where: { deletedAt: null, isActive: true }, select: { id: true, name: true, brand: true, categoryId: true } });
  const categoryIds = [...new Set(products.map((product) => product.categoryId).filter((id): id is string => id !== null))];
  const brands = [...new Set(products.map((product) => product.brand))];
  const words = [...new Set(products.flatMap((product) => product.name.toLowerCase().split(/\s+/)).filter((word) => word.length > 3))];
  const buildUser = userBuilders(users.prisma);
  const buildOrder = orderBuilders(orders.prisma);
  const shoppers: string[] = [];
  for (let index = 0; index < SHOPPERS; index += 1) {
    const shopper = await buildUser.user({ firstName: 'Ada', lastName: `Shopper ${index}` });
    shoppers.push(shopper.id);
    for (let order = 0; order < ORDERS_PER_SHOPPER; order += 1) {
      const lines = Array.from({ length: between(random, 1, 4) }, () => pick(random, products));
      const distinct = [...new Map(lines.map((line) => [line.id, line])).values()];
      await buildOrder.order(shopper.id, distinct.map((line) => ({ productId: line.id, quantity: between(random, 1, 3), unitPrice: `${between(random, 1, 500)}.${between(random, 10, 99)}`, productName: line.name })));
    }
    for (const line of new Set(Array.from({ length: CART_LINES }, () => pick(random, products).id))) await buildOrder.cartLine(shopper.id, line, between(random, 1, 3));
  }
  const admin = personViewer('ADMIN');

  const send = Object.fromEntries((['catalog', 'users', 'orders'] as const).map((name) => [name, asGatewayTo(name, { url: subgraphs[name].url, keys })])) as Record<SubgraphName, ReturnType<typeof asGatewayTo>>;

  interface Workload {
    name: string;
    subgraph: SubgraphName;
    next(): Promise<{ errors?: unknown; data?: unknown }>;
  }

  const productsQuery = `query($filter: ProductFilter, $page: Int, $limit: Int, $sort: ProductSort) { products(filter: $filter, page: $page, limit: $limit, sort: $sort) {
    items { id name description brand imageUrl inStock price { amount currency } category { id name } }
    meta { totalItems currentPage totalPages itemsPerPage } } }`;
  const productQuery = `query($id: ID!) { product(id: $id) { id name description brand imageUrl inStock price { amount currency } category { id name parent { id name } } createdAt updatedAt } }`;
  const meUsersQuery = `{ me { id email username firstName lastName role isActive createdAt updatedAt } }`;
  const meOrdersQuery = entitiesQuery(
    'User',
    `{ cart { items { quantity product { id } lineTotal { amount currency } } subtotal { amount currency } }
       orders(page: 1, limit: 10) { items { id status createdAt total { amount currency } items { quantity unitPrice { amount currency } lineTotal { amount currency } product { id } } }
         meta { totalItems currentPage totalPages itemsPerPage } } }`,
  );
  const allOrdersQuery = `query($filter: OrderFilter, $page: Int, $limit: Int) { orders(filter: $filter, page: $page, limit: $limit) {
    items { id status createdAt user { id } total { amount currency } items { quantity product { id } } }
    meta { totalItems currentPage totalPages itemsPerPage } } }`;
  const orderedProducts = (await orders.prisma.orderItem.findMany({ select: { productId: true }, distinct: ['productId'] })).map((item) => item.productId);

  const productsFilter = () => {
    const filter: Record<string, unknown> = {};
    if (random() < 0.4) filter.categoryId = pick(random, categoryIds);
    if (random() < 0.3) filter.search = pick(random, words);
    if (random() < 0.2) filter.brand = pick(random, brands);
    if (random() < 0.3) filter.minPrice = String(between(random, 0, 100));
    if (random() < 0.2) filter.inStock = true;
    return filter;
  };

  const workloads: Workload[] = [
    { name: 'catalog { __typename }', subgraph: 'catalog', next: () => send.catalog({ query: '{ __typename }' }) },
    {
      name: 'Products (search, page, sort, filters)',
      subgraph: 'catalog',
      next: () => send.catalog({ query: productsQuery, variables: { filter: productsFilter(), page: between(random, 1, 3), limit: pick(random, [10, 20, 24]), sort: pick(random, sorts) } }),
    },
    { name: 'Product by id', subgraph: 'catalog', next: () => send.catalog({ query: productQuery, variables: { id: pick(random, products).id } }) },
    {
      name: '_entities of 100 Products',
      subgraph: 'catalog',
      next: () =>
        send.catalog({
          query: entitiesQuery('Product', '{ id name }'),
          variables: { representations: Array.from({ length: 100 }, () => ({ __typename: 'Product', id: pick(random, orderedProducts) })) },
        }),
    },
    { name: 'users { __typename }', subgraph: 'users', next: () => send.users({ query: '{ __typename }' }) },
    { name: 'Me (users)', subgraph: 'users', next: () => send.users({ query: meUsersQuery }, personViewer('USER', pick(random, shoppers))) },
    {
      name: '_entities of 20 Users',
      subgraph: 'users',
      next: () =>
        send.users(
          { query: entitiesQuery('User', '{ id email }'), variables: { representations: Array.from({ length: 20 }, () => ({ __typename: 'User', id: pick(random, shoppers) })) } },
          admin,
        ),
    },
    { name: 'orders { __typename }', subgraph: 'orders', next: () => send.orders({ query: '{ __typename }' }) },
    {
      name: 'Me (orders: cart and orders)',
      subgraph: 'orders',
      next: () => {
        const id = pick(random, shoppers);
        return send.orders({ query: meOrdersQuery, variables: { representations: [{ __typename: 'User', id }] } }, personViewer('USER', id));
      },
    },
    {
      name: 'AllOrders (filters)',
      subgraph: 'orders',
      next: () => {
        const filter: Record<string, unknown> = {};
        if (random() < 0.3) filter.status = 'PENDING';
        if (random() < 0.3) filter.userId = pick(random, shoppers);
        if (random() < 0.3) filter.createdAfter = new Date(Date.now() - 3_600_000).toISOString();
        return send.orders({ query: allOrdersQuery, variables: { filter, page: between(random, 1, 3), limit: 20 } }, admin);
      },
    },
  ];

  console.log(`backend: ${backend}; ${REQUESTS} sequential requests each after ${WARMUP} to warm up; ${products.length} products, ${SHOPPERS} shoppers`);
  console.log('| workload | subgraph | statements / request | CPU / request (process) |');
  console.log('| --- | --- | ---: | ---: |');
  for (const workload of workloads) {
    for (let index = 0; index < WARMUP; index += 1) await workload.next();
    const usage = subgraphs[workload.subgraph].usage();
    const cpu = process.cpuUsage();
    for (let index = 0; index < REQUESTS; index += 1) {
      const response = await workload.next();
      if (response.errors) throw new Error(`${workload.name}: ${JSON.stringify(response.errors)}`);
    }
    const spent = process.cpuUsage(cpu);
    const after = subgraphs[workload.subgraph].usage();
    const statements = (after.statements - usage.statements) / (after.requests - usage.requests);
    const cpuMs = (spent.user + spent.system) / 1000 / REQUESTS;
    console.log(`| ${workload.name} | ${workload.subgraph} | ${statements.toFixed(2)} | ${cpuMs.toFixed(2)} ms |`);
  }

  // The same read through Prisma's query builder and as raw SQL, on the catalog's own client:
  // what choosing raw SQL for a hot read saves (docs/adr/0038).
  const twenty = products.slice(0, 20).map((product) => product.id);
  const reads: Array<[string, () => Promise<unknown>]> = [
    ['20 products by id, findMany', () => catalog.prisma.product.findMany({ where: { id: { in: twenty } } })],
    ['20 products by id, $queryRaw', () => findProductsByIds(catalog.prisma, twenty)],
    ['a cart with its lines, findUnique + include', () => orders.prisma.cart.findUnique({ where: { userId: shoppers[0]! }, include: { items: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } } })],
    ['a cart with its lines, $queryRaw join', () => findCart(orders.prisma, shoppers[0]!)],
  ];
  console.log('\n| read, alone | CPU / read |\n| --- | ---: |');
  for (const [name, read] of reads) {
    for (let index = 0; index < WARMUP; index += 1) await read();
    const cpu = process.cpuUsage();
    for (let index = 0; index < REQUESTS; index += 1) await read();
    const spent = process.cpuUsage(cpu);
    console.log(`| ${name} | ${((spent.user + spent.system) / 1000 / REQUESTS).toFixed(2)} ms |`);
  }
} finally {
  await orders.stop();
  await users.stop();
  await catalog.stop();
  await databases.drop();
}
