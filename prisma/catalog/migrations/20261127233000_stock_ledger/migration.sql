-- CreateEnum
CREATE TYPE "StockMovementReason" AS ENUM ('OPENING', 'RESTOCK', 'CORRECTION', 'ORDER_RESERVATION', 'RELEASE', 'SALE');

-- CreateEnum
CREATE TYPE "StockActorKind" AS ENUM ('USER', 'ORDER', 'SYSTEM');

-- CreateTable
CREATE TABLE "stock_movements" (
    "id" BIGSERIAL NOT NULL,
    "product_id" UUID NOT NULL,
    "delta" INTEGER NOT NULL,
    "stock_after" INTEGER NOT NULL,
    "reason" "StockMovementReason" NOT NULL,
    "actor_kind" "StockActorKind" NOT NULL,
    "actor_id" TEXT,
    "order_id" UUID,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_movements_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "stock_movements_product_id_id_idx" ON "stock_movements"("product_id", "id");

-- AddForeignKey
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Constraints Prisma's schema language cannot express
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_stock_after_check" CHECK ("stock_after" >= 0);

-- The opening balance: the ledger starts from each product's stock as it is now.
INSERT INTO "stock_movements" ("product_id", "delta", "stock_after", "reason", "actor_kind")
SELECT "id", "stock_quantity", "stock_quantity", 'OPENING'::"StockMovementReason", 'SYSTEM'::"StockActorKind" FROM "products" WHERE "stock_quantity" <> 0;
