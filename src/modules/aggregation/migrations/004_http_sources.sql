-- HTTP JSON APIs read page by page join the database sources.
ALTER TABLE ingest.source DROP CONSTRAINT source_kind_check;
ALTER TABLE ingest.source ADD CONSTRAINT source_kind_check CHECK (kind IN ('postgres', 'mysql', 'http'));
