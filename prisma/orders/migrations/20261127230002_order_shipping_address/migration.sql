-- An order's shipping address, a copy taken when it was placed (docs/adr/0032); orders placed before have none.
-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "shipping_address" JSONB;
