-- CreateEnum
CREATE TYPE "StockState" AS ENUM ('RESERVING', 'RESERVED', 'RELEASING', 'RELEASED');

-- AlterTable: orders placed before this migration had their stock already; new ones start RESERVING.
ALTER TABLE "orders" ADD COLUMN     "stock_state" "StockState" NOT NULL DEFAULT 'RESERVED';
ALTER TABLE "orders" ALTER COLUMN "stock_state" SET DEFAULT 'RESERVING';

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_seq" BIGINT,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_published_seq_key" ON "outbox_events"("published_seq");

-- CreateIndex
CREATE INDEX "orders_stock_state_updated_at_idx" ON "orders"("stock_state", "updated_at");
