import type { Resolvers } from '../generated/graphql.js';
import { Address } from './Address.js';
import { ApiKey } from './ApiKey.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { User } from './User.js';

export const resolvers: Resolvers = { Query, Mutation, User, ApiKey, Address };
