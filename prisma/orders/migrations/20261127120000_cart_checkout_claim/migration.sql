-- A cart's checkout claim (docs/adr/0012): null on every existing cart, so the unique index holds.
-- AlterTable
ALTER TABLE "carts" ADD COLUMN     "checkout_order_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "carts_checkout_order_id_key" ON "carts"("checkout_order_id");

-- AddForeignKey
ALTER TABLE "carts" ADD CONSTRAINT "carts_checkout_order_id_fkey" FOREIGN KEY ("checkout_order_id") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;
