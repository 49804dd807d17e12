-- Product search reads one lower-cased column kept by the database (docs/adr/0041).

-- DropIndex
DROP INDEX "products_description_trgm_idx";

-- DropIndex
DROP INDEX "products_name_trgm_idx";

-- AlterTable
ALTER TABLE "products" ADD COLUMN "search_text" TEXT NOT NULL DEFAULT '';

-- Filled for the rows there are without restamping them: partners' sync reads updated_at.
ALTER TABLE "products" DISABLE TRIGGER "products_stamp_updated_at";
UPDATE "products" SET "search_text" = lower("name") || E'\n' || lower("description");
ALTER TABLE "products" ENABLE TRIGGER "products_stamp_updated_at";

-- Whoever writes a name or a description, the column follows; a write to it alone is undone.
CREATE FUNCTION "products_keep_search_text"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."search_text" := lower(NEW."name") || E'\n' || lower(NEW."description");
  RETURN NEW;
END
$$;

CREATE TRIGGER "products_keep_search_text" BEFORE INSERT OR UPDATE OF "name", "description", "search_text" ON "products"
  FOR EACH ROW EXECUTE FUNCTION "products_keep_search_text"();

-- CreateIndex
CREATE INDEX "products_search_text_trgm_idx" ON "products" USING GIN ("search_text" gin_trgm_ops);
