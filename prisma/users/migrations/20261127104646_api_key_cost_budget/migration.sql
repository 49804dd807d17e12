-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "cost_budget" INTEGER;

-- Constraints Prisma's schema language cannot express
-- A budget of zero or less would lock the key out without revoking it: null means the default.
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_cost_budget_positive_check" CHECK ("cost_budget" > 0);
