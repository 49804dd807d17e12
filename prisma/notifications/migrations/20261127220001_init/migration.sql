-- CreateTable
CREATE TABLE "sent_notifications" (
    "event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "recipient" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sent_notifications_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "consumer_checkpoints" (
    "position" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consumer_checkpoints_pkey" PRIMARY KEY ("position")
);
