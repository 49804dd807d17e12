import type { StockMovementResolvers } from '../generated/graphql.js';

export const StockMovement: StockMovementResolvers = {
  // A bigint in the database: its movements' order.
  id: (movement) => movement.id.toString(),
};
