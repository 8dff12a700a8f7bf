-- Per-source cleaning beside the column mapping: code maps (男 → 1) and text items turned half-width.
ALTER TABLE ingest.source ADD COLUMN cleaning jsonb NOT NULL DEFAULT '{}';
