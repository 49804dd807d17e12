import type { Resolvers } from '../generated/graphql.js';
import { Cart, CartItem } from './Cart.js';
import { Mutation } from './Mutation.js';
import { Order } from './Order.js';
import { OrderItem } from './OrderItem.js';
import { Query } from './Query.js';
import { User } from './User.js';

export const resolvers: Resolvers = { Query, Mutation, Order, OrderItem, User, Cart, CartItem };
