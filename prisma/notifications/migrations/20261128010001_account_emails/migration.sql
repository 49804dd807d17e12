-- AlterTable
ALTER TABLE "sent_notifications" ALTER COLUMN "order_id" DROP NOT NULL;
