import type { Resolvers } from '../generated/graphql.js';
import { Category } from './Category.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';
import { StockMovement } from './StockMovement.js';

export const resolvers: Resolvers = { Query, Mutation, Product, Category, StockMovement };
