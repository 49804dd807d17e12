-- AlterTable
ALTER TABLE "users" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3);

-- A deleted account is never active again (reactivateUser refuses it; the database says so too).
ALTER TABLE "users" ADD CONSTRAINT "users_deleted_inactive_check" CHECK ("deleted_at" IS NULL OR NOT "is_active");
