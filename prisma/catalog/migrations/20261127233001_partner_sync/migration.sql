-- CreateIndex
CREATE INDEX "products_updated_at_id_idx" ON "products"("updated_at", "id");

-- Partners sync by updated_at (docs/adr/0033): every change is stamped with the database's
-- clock at its transaction's start, whatever the writer sends, so that a change not yet
-- committed is never older than the settle window the sync waits out.
CREATE FUNCTION "products_stamp_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."updated_at" := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER "products_stamp_updated_at" BEFORE INSERT OR UPDATE ON "products"
  FOR EACH ROW EXECUTE FUNCTION "products_stamp_updated_at"();
