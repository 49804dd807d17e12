-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN     "event_id" UUID NOT NULL DEFAULT gen_random_uuid();

-- CreateTable
CREATE TABLE "broker_checkpoints" (
    "stream" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broker_checkpoints_pkey" PRIMARY KEY ("stream")
);
