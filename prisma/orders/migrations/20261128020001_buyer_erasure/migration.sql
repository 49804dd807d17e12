-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "anonymised_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "erased_buyers" (
    "user_id" UUID NOT NULL,
    "erased_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "erased_buyers_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "consumer_checkpoints" (
    "position" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consumer_checkpoints_pkey" PRIMARY KEY ("position")
);
