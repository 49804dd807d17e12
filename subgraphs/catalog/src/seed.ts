import { seededRandom, stableUuid } from '@shop/db';
import { formatMoney } from '@shop/graphql-kit';
import type { Logger } from '@shop/logging';
import type { Prisma } from './generated/prisma/client.js';
import type { CatalogPrisma } from './data/client.js';
import { recordOpeningBalances } from './data/ledger.js';

/*
 * Demo data that looks like a shop: a three-level category tree and a few hundred
 * products across brands and prices, some inactive, some out of stock. Ids are derived
 * from names, so seeding twice changes nothing.
 */

interface Department {
  name: string;
  brands: string[];
  nouns: string[];
  priceRange: [number, number];
  groups: Record<string, string[]>;
}

const departments: Department[] = [
  {
    name: 'Electronics',
    brands: ['Voltra', 'Nimbus', 'Kestrel', 'Orbitek', 'Lumen'],
    nouns: ['Laptop', 'Monitor', 'Phone', 'Headphones', 'Speaker', 'Tablet', 'Charger'],
    priceRange: [19, 2499],
    groups: {
      Computers: ['Laptops', 'Desktops', 'Monitors'],
      Phones: ['Smartphones', 'Phone Accessories'],
      Audio: ['Headphones', 'Speakers'],
    },
  },
  {
    name: 'Home & Kitchen',
    brands: ['Hearthly', 'Copperleaf', 'Nordvik', 'Casa Verde'],
    nouns: ['Skillet', 'Kettle', 'Blender', 'Chair', 'Desk', 'Lamp', 'Knife Set'],
    priceRange: [9, 899],
    groups: {
      Kitchen: ['Cookware', 'Small Appliances', 'Cutlery'],
      Furniture: ['Chairs', 'Desks'],
    },
  },
  {
    name: 'Sports & Outdoors',
    brands: ['Summitline', 'Ridgeback', 'Aerofit', 'Tidewater'],
    nouns: ['Yoga Mat', 'Dumbbell Set', 'Tent', 'Backpack', 'Bike Helmet', 'Water Bottle'],
    priceRange: [7, 1299],
    groups: {
      Fitness: ['Yoga', 'Strength Training'],
      Outdoor: ['Camping', 'Cycling', 'Hiking'],
    },
  },
  {
    name: 'Fashion',
    brands: ['Atelier Nine', 'Northbound', 'Velvet & Oak', 'Stride'],
    nouns: ['Sneakers', 'Jacket', 'Boots', 'Tote Bag', 'Scarf', 'Watch'],
    priceRange: [12, 650],
    groups: {
      Men: ['Men Shoes', 'Men Jackets'],
      Women: ['Women Shoes', 'Women Bags'],
    },
  },
  {
    name: 'Books',
    brands: ['Inkwell Press', 'Harbor House', 'Quill & Co'],
    nouns: ['Novel', 'Anthology', 'Field Guide', 'Cookbook', 'Atlas'],
    priceRange: [5, 120],
    groups: {
      Fiction: ['Fantasy', 'Mystery'],
      'Non-fiction': ['Science', 'History'],
    },
  },
];

const adjectives = ['Classic', 'Pro', 'Compact', 'Ultra', 'Eco', 'Deluxe', 'Essential', 'Smart', 'Travel', 'Studio'];
const PRODUCTS_PER_LEAF = 24;
const DEMO_EPOCH = Date.UTC(2026, 0, 1);

function buildCategories() {
  const categories: Prisma.CategoryCreateManyInput[] = [];
  const leaves: Array<{ id: string; name: string; department: Department }> = [];
  for (const department of departments) {
    const departmentId = stableUuid(`category:${department.name}`);
    categories.push({ id: departmentId, name: department.name, description: `All of ${department.name}` });
    for (const [group, leafNames] of Object.entries(department.groups)) {
      const groupId = stableUuid(`category:${department.name}/${group}`);
      categories.push({ id: groupId, name: group, parentId: departmentId, description: `${group} in ${department.name}` });
      for (const leaf of leafNames) {
        const id = stableUuid(`category:${department.name}/${group}/${leaf}`);
        categories.push({ id, name: leaf, parentId: groupId, description: `${leaf} from our favourite brands` });
        leaves.push({ id, name: leaf, department });
      }
    }
  }
  return { categories, leaves };
}

function buildProducts(leaves: ReturnType<typeof buildCategories>['leaves']) {
  const random = seededRandom(20261122);
  const products: Prisma.ProductCreateManyInput[] = [];
  for (const leaf of leaves) {
    for (let n = 0; n < PRODUCTS_PER_LEAF; n += 1) {
      const index = products.length;
      const brand = random.pick(leaf.department.brands);
      const noun = random.pick(leaf.department.nouns);
      const name = `${brand} ${random.pick(adjectives)} ${noun} ${100 + index}`;
      const [low, high] = leaf.department.priceRange;
      const cents = random.int(low * 100, high * 100);
      const roll = random.next();
      products.push({
        id: stableUuid(`product:${index}`),
        name,
        description: `The ${name.toLowerCase()}: a ${noun.toLowerCase()} for ${leaf.name.toLowerCase()}, built by ${brand}.`,
        brand,
        // Shop prices end in .99: 1234 dollars becomes 1233.99.
        price: formatMoney(String((Math.round(cents / 100) * 100 - 1) / 100)),
        currency: 'USD',
        categoryId: leaf.id,
        stockQuantity: roll < 0.08 ? 0 : random.int(1, 250),
        imageUrl: `https://images.example.com/products/${index}.jpg`,
        isActive: roll < 0.04 || roll > 0.96 ? false : true,
        createdAt: new Date(DEMO_EPOCH + index * 3_600_000),
      });
    }
  }
  return products;
}

export async function seedCatalog(prisma: CatalogPrisma, logger: Logger): Promise<void> {
  const { categories, leaves } = buildCategories();
  const products = buildProducts(leaves);
  // Parents before children: createMany inserts in order within one statement.
  const createdCategories = await prisma.category.createMany({ data: categories, skipDuplicates: true });
  const createdProducts = await prisma.$transaction(async (tx) => {
    const created = await tx.product.createMany({ data: products, skipDuplicates: true });
    await recordOpeningBalances(tx);
    return created;
  });
  logger.info(
    { categories: createdCategories.count, products: createdProducts.count, total: products.length },
    'demo catalog seeded',
  );
}
